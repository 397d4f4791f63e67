package dev.pgfly.testkit.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * N test hosts with network stacks of their own: a Linux network namespace per host, each joined to
 * one bridge in the root namespace by a veth pair. Host i is 10.x.y.i on a /24 that nothing on this
 * machine routes, and the bridge holds 10.x.y.254, so the test JVM reaches every host directly (no
 * forwarding involved). Needs root and iproute2; {@link #unavailableReason()} says why not, for a
 * test's assumption.
 *
 * <p>{@link #close()} crashes every host and deletes the namespaces, links and bridge; a shutdown hook
 * does the same if the test JVM ends first, and {@link #removeStale()} (also called by
 * {@link #create}) removes what a killed run left behind.
 */
public final class Hosts implements AutoCloseable {
    /** Who owns which prefix: one file per live instance, written before any kernel object exists. */
    static final Path OWNERS = Path.of("/run/pgfly-hosts");
    private static final int PREFIX_ATTEMPTS = 200;
    private static final Path BRIDGE_NF_CALL_IPTABLES = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");

    /** Hosts cannot run here (not root, no `ip`, no namespaces): the message is the one-line reason. */
    public static final class Unavailable extends IOException {
        Unavailable(String reason) {
            super(reason);
        }
    }

    private final Naming naming;
    private final Subnet subnet;
    private final List<Host> hosts = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean forwardRuleAdded;
    private boolean closed;

    private Hosts(Naming naming) {
        this.naming = naming;
        this.subnet = naming.subnet();
        this.shutdownHook = new Thread(this::close, "hosts-cleanup-" + naming.prefix());
    }

    /**
     * {@code count} hosts h1..hN, each with loopback up and its address on the bridge. Throws
     * {@link Unavailable} when this machine cannot run them; on any other failure, removes what it made.
     */
    public static Hosts create(int count) throws IOException {
        if (count < 1 || count > Subnet.MAX_HOSTS) {
            throw new IllegalArgumentException("between 1 and " + Subnet.MAX_HOSTS + " hosts, not " + count);
        }
        Optional<String> unavailable = unavailableReason();
        if (unavailable.isPresent()) {
            throw new Unavailable(unavailable.get());
        }
        removeStale();
        Hosts made = new Hosts(claimPrefix());
        Runtime.getRuntime().addShutdownHook(made.shutdownHook);
        try {
            made.build(count);
            return made;
        } catch (RuntimeException e) {
            made.close();
            throw e;
        }
    }

    /** Why {@link #create} would fail on this machine; empty when it can run. */
    public static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("network-namespace hosts need Linux, not " + System.getProperty("os.name"));
        }
        long uid = uid();
        if (uid != 0) {
            return Optional.of("network-namespace hosts need root (uid is " + uid + ")");
        }
        if (Ip.executable("ip").isEmpty()) {
            return Optional.of("network-namespace hosts need the `ip` command (iproute2)");
        }
        if (Ip.executable("iptables").isEmpty()) {
            return Optional.of("network-namespace hosts need the `iptables` command");
        }
        return Optional.empty();
    }

    private static long uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: not a machine we can run on
        }
        return -1;
    }

    /**
     * A random prefix whose subnet nothing routes here, its owner file created exclusively: two runs
     * (or two instances in one JVM) that draw the same one cannot both win it.
     */
    private static Naming claimPrefix() throws IOException {
        Files.createDirectories(OWNERS);
        String routes = Ip.ip("-4", "-o", "route", "show", "table", "all");
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < PREFIX_ATTEMPTS; attempt++) {
            Naming candidate = Naming.random(random);
            if (candidate.subnet().overlapsAnyRoute(routes)) {
                continue;
            }
            try {
                Files.writeString(OWNERS.resolve(candidate.prefix()), Owner.current().format(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return candidate;
            } catch (FileAlreadyExistsException e) {
                // another instance's: draw again
            }
        }
        throw new IOException("no free 10.x.y.0/24 for test hosts after " + PREFIX_ATTEMPTS + " draws");
    }

    private void build(int count) throws Unavailable {
        String bridge = naming.bridge();
        try {
            Ip.ip("link", "add", "name", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        } catch (IllegalStateException e) {
            // the first kernel object: failing here means no network administration in this container
            throw new Unavailable("cannot create a bridge: " + e.getMessage());
        }
        Ip.ip("addr", "add", subnet.bridgeAddress() + "/24", "dev", bridge);
        Ip.ip("link", "set", bridge, "up");
        allowBridgedTraffic();
        for (int i = 1; i <= count; i++) {
            String ns = naming.namespace(i);
            String port = naming.bridgePort(i);
            Ip.ip("netns", "add", ns);
            Ip.ip("-n", ns, "link", "set", "lo", "up");
            Ip.ip("link", "add", port, "type", "veth", "peer", "name", Naming.HOST_INTERFACE, "netns", ns);
            Ip.ip("link", "set", port, "master", bridge);
            Ip.ip("link", "set", port, "up");
            Ip.ip("-n", ns, "addr", "add", subnet.address(i) + "/24", "dev", Naming.HOST_INTERFACE);
            Ip.ip("-n", ns, "link", "set", Naming.HOST_INTERFACE, "up");
            hosts.add(new Host("h" + i, ns, subnet.address(i), port));
        }
    }

    /**
     * With br_netfilter loaded, frames crossing a bridge go through the root namespace's FORWARD chain,
     * whose policy may be DROP (Docker sets it so): one ACCEPT rule for this bridge, removed on close.
     */
    private void allowBridgedTraffic() {
        if (!bridgeNetfilter()) {
            return;
        }
        Ip.iptables(null, forwardRule("-I"));
        forwardRuleAdded = true;
    }

    private static boolean bridgeNetfilter() {
        try {
            return Files.readString(BRIDGE_NF_CALL_IPTABLES).strip().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    private static String[] forwardRule(String action, Naming naming) {
        return new String[] {action, "FORWARD", "-i", naming.bridge(), "-o", naming.bridge(),
            "-m", "comment", "--comment", naming.ruleComment(), "-j", "ACCEPT"};
    }

    private String[] forwardRule(String action) {
        return forwardRule(action, naming);
    }

    /** Host {@code i}, 1-based. */
    public Host host(int i) {
        if (i < 1 || i > hosts.size()) {
            throw new IndexOutOfBoundsException("host " + i + " of " + hosts.size());
        }
        return hosts.get(i - 1);
    }

    public List<Host> all() {
        return List.copyOf(hosts);
    }

    /** The test JVM's address on the bridge (10.x.y.254): the hosts reach it, e.g. a test's S3 store. */
    public String bridgeAddress() {
        return subnet.bridgeAddress();
    }

    /** The subnet, 10.x.y.0/24. */
    public String subnet() {
        return subnet.cidr();
    }

    /** The prefix of every namespace, link and bridge of this instance (pgt and four hex digits). */
    public String prefix() {
        return naming.prefix();
    }

    /**
     * Crashes every host, then deletes the links, namespaces and bridge, and the ownership file.
     * Idempotent; never throws (what cannot be removed is reported on standard error and left to
     * {@link #removeStale()}).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Host host : hosts) {
            quietly("crash " + host.name(), host::crash);
        }
        tearDown(naming, forwardRuleAdded);
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs, and finds this closed
            }
        }
    }

    /**
     * Removes every namespace, link, bridge and FORWARD rule named with a Hosts prefix whose owner
     * process is gone (a run killed before its close()), after a SIGKILL to the processes still in
     * those namespaces. Another live run's hosts, and everything not named by Hosts, stay. Never throws.
     */
    public static void removeStale() {
        try {
            // objects first, owners after: an owner file is written before its objects, so an object
            // seen here whose owner file is missing afterwards is not a run still being set up
            Set<String> prefixes = new TreeSet<>();
            for (String ns : namespaces()) {
                Naming.prefixOf(ns).ifPresent(prefixes::add);
            }
            for (String link : links()) {
                Naming.prefixOf(link).ifPresent(prefixes::add);
            }
            if (Files.isDirectory(OWNERS)) {
                try (DirectoryStream<Path> owners = Files.newDirectoryStream(OWNERS)) {
                    for (Path owner : owners) {
                        Naming.prefixOf(owner.getFileName().toString()).ifPresent(prefixes::add);
                    }
                }
            }
            for (String prefix : prefixes) {
                if (!ownerAlive(prefix)) {
                    Naming naming = new Naming(prefix);
                    for (String ns : namespaces()) {
                        if (Naming.prefixOf(ns).equals(Optional.of(prefix))) {
                            quietly("crash " + ns, () -> NamespacePids.killAll(Path.of("/run/netns", ns)));
                        }
                    }
                    tearDown(naming, bridgeNetfilter());
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("could not remove stale test hosts: " + e);
        }
    }

    private static boolean ownerAlive(String prefix) {
        try {
            return Owner.parse(Files.readString(OWNERS.resolve(prefix))).map(Owner::alive).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Deletes a prefix's objects, its processes already killed: the veth pairs first (deleting the
     * root end deletes both at once, while a namespace's own devices go only when the kernel gets to
     * freeing the namespace), then the namespaces, the bridge, the rule, the owner file.
     */
    private static void tearDown(Naming naming, boolean forwardRule) {
        String prefix = naming.prefix();
        List<String> links = quietlyList(Hosts::links);
        for (String link : links) {
            if (Naming.prefixOf(link).equals(Optional.of(prefix)) && !link.equals(naming.bridge())) {
                Ip.ipQuietly("link", "del", link);
            }
        }
        for (String ns : quietlyList(Hosts::namespaces)) {
            if (Naming.prefixOf(ns).equals(Optional.of(prefix))) {
                Ip.ipQuietly("netns", "del", ns);
            }
        }
        Ip.ipQuietly("link", "del", naming.bridge());
        if (forwardRule) {
            // as many times as it was added (a run killed mid-create may have left none)
            while (Ip.iptablesQuietly(null, forwardRule("-D", naming))) {
                // removed one
            }
        }
        try {
            Files.deleteIfExists(OWNERS.resolve(prefix));
        } catch (IOException e) {
            System.err.println("could not remove " + OWNERS.resolve(prefix) + ": " + e);
        }
    }

    /** The names in `ip netns list` ("NAME (id: N)" or just "NAME"). */
    static List<String> namespaces() {
        List<String> names = new ArrayList<>();
        for (String line : Ip.ip("netns", "list").split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    /** The names in `ip -o link` of the root namespace ("7: NAME@PEER: <...>"). */
    static List<String> links() {
        List<String> names = new ArrayList<>();
        for (String line : Ip.ip("-o", "link").split("\n")) {
            String[] fields = line.strip().split(":\\s+", 3);
            if (fields.length >= 2) {
                String name = fields[1];
                int at = name.indexOf('@');
                names.add(at < 0 ? name : name.substring(0, at));
            }
        }
        return names;
    }

    private static List<String> quietlyList(Supplier<List<String>> source) {
        try {
            return source.get();
        } catch (RuntimeException e) {
            System.err.println("test hosts cleanup: " + e.getMessage());
            return List.of();
        }
    }

    private static void quietly(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            System.err.println("test hosts cleanup, " + what + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Hosts " + naming.prefix() + " " + subnet.cidr() + " " + hosts;
    }
}
