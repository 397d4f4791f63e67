package dev.pgfly.testkit.hosts;

import dev.pgfly.testkit.Pgfly;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One test host of a {@link Hosts}: a network namespace with its own address on the bridge, and the
 * processes started in it. A cut takes its link down at both ends; a crash is SIGKILL of every
 * process in the namespace. Failures of the kernel commands are unchecked, with a one-line reason.
 */
public final class Host {
    private final String name;
    private final String namespace;
    private final String address;
    private final String bridgePort;
    private final Path nsFile;
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final Set<String> blocked = new TreeSet<>();
    private boolean cut;

    Host(String name, String namespace, String address, String bridgePort) {
        this.name = name;
        this.namespace = namespace;
        this.address = address;
        this.bridgePort = bridgePort;
        this.nsFile = Path.of("/run/netns", namespace);
    }

    /** "h1", "h2", ... */
    public String name() {
        return name;
    }

    public String namespace() {
        return namespace;
    }

    /** Its address on the bridge, 10.x.y.i, which the other hosts and the test JVM reach it by. */
    public String address() {
        return address;
    }

    /** {@code command} as run inside this host: {@code ip netns exec NS command...}. */
    public List<String> inNamespace(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of(Ip.ipCommand(), "netns", "exec", namespace));
        cmd.addAll(command);
        return cmd;
    }

    /**
     * Starts {@code command} in this host in the background, {@code env} added to this JVM's
     * environment, standard output and error appended to {@code log}. {@link #crash()} ends it with
     * everything it started.
     */
    public Process start(List<String> command, Map<String, String> env, Path log) {
        ProcessBuilder pb = new ProcessBuilder(inNamespace(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            started.removeIf(s -> !s.isAlive());
            started.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command + " in " + name, e);
        }
    }

    /** The processes {@link #start} started that still run (their children are not listed: see {@link #pids()}). */
    public List<Process> started() {
        return started.stream().filter(Process::isAlive).toList();
    }

    /**
     * Runs {@code command} in this host to the end: its exit status and output. After {@code timeout}
     * it is killed and the exit status is 124, as with coreutils' timeout.
     */
    public Pgfly.Result run(Duration timeout, Map<String, String> env, String... command) {
        return Ip.run(timeout, env, inNamespace(List.of(command)));
    }

    /**
     * The pgfly CLI run inside this host, with {@code home} as its PGFLY_HOME (created if missing); its
     * close() destroys the clusters, stops the node and removes the home, as for a local one.
     */
    public Pgfly pgfly(Path home, Map<String, String> env) throws IOException {
        return new Pgfly(home, inNamespace(List.of()), env);
    }

    /**
     * Takes the link down at both ends: eth0 inside the namespace and the bridge's port. The host's
     * own calls to other hosts then fail at once (no route); calls to it go unanswered.
     */
    public synchronized void cut() {
        Ip.ip("-n", namespace, "link", "set", Naming.HOST_INTERFACE, "down");
        Ip.ip("link", "set", bridgePort, "down");
        cut = true;
    }

    /** Brings the link up again: the address stays through a cut, and the kernel restores its route. */
    public synchronized void heal() {
        Ip.ip("link", "set", bridgePort, "up");
        Ip.ip("-n", namespace, "link", "set", Naming.HOST_INTERFACE, "up");
        cut = false;
    }

    public synchronized boolean isCut() {
        return cut;
    }

    /**
     * SIGKILL to every process in this host (its node, agents, PostgreSQL, ...), again until none is
     * left, then waits until they have exited. The namespace and its network stay: start the node again.
     */
    public void crash() {
        NamespacePids.killAll(nsFile);
        started.removeIf(p -> !p.isAlive());
    }

    /** Every process in this host, as `ip netns pids` lists them. */
    public Set<Long> pids() {
        return NamespacePids.of(nsFile);
    }

    /**
     * A partial cut: this host drops every packet from and to {@code other} (iptables DROP in its
     * namespace, INPUT and OUTPUT), while it still reaches every other host and the test JVM.
     */
    public void blockFrom(Host other) {
        blockFrom(other.address());
    }

    /** As {@link #blockFrom(Host)}, for any address (the bridge's, to cut the test JVM off). */
    public synchronized void blockFrom(String peerAddress) {
        if (blocked.contains(peerAddress)) {
            return;
        }
        Ip.iptables(namespace, "-I", "INPUT", "-s", peerAddress, "-j", "DROP");
        try {
            Ip.iptables(namespace, "-I", "OUTPUT", "-d", peerAddress, "-j", "DROP");
        } catch (RuntimeException e) {
            Ip.iptablesQuietly(namespace, "-D", "INPUT", "-s", peerAddress, "-j", "DROP");
            throw e;
        }
        blocked.add(peerAddress);
    }

    public void unblock(Host other) {
        unblock(other.address());
    }

    public synchronized void unblock(String peerAddress) {
        if (!blocked.remove(peerAddress)) {
            return;
        }
        Ip.iptables(namespace, "-D", "INPUT", "-s", peerAddress, "-j", "DROP");
        Ip.iptables(namespace, "-D", "OUTPUT", "-d", peerAddress, "-j", "DROP");
    }

    /** The addresses this host blocks now. */
    public synchronized Set<String> blocked() {
        return Set.copyOf(blocked);
    }

    @Override
    public String toString() {
        return name + " (" + address + " in " + namespace + (isCut() ? ", cut" : "") + ")";
    }
}
