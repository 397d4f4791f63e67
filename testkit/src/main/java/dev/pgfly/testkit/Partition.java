package dev.pgfly.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cuts one member's loopback address off from everything (the other members, ZooKeeper, the
 * proxy) with iptables, except the test's probe at 127.0.0.2. All rules live in a chain of their
 * own, removed by {@link #close()}.
 */
public final class Partition implements AutoCloseable {
    private final String chain;
    private boolean active;

    public Partition(String name) {
        this.chain = "PGFLY_IT_" + name.toUpperCase().replaceAll("[^A-Z0-9]", "_");
    }

    public void isolate(String address) throws IOException, InterruptedException {
        iptables("-N", chain);
        iptables("-A", chain, "-s", WritableProbe.SOURCE_ADDRESS, "-d", address, "-j", "ACCEPT");
        iptables("-A", chain, "-s", address, "-d", WritableProbe.SOURCE_ADDRESS, "-j", "ACCEPT");
        iptables("-A", chain, "-s", address, "-j", "DROP");
        iptables("-A", chain, "-d", address, "-j", "DROP");
        iptables("-I", "INPUT", "1", "-j", chain);
        active = true;
    }

    /** Cuts only the member's traffic with ZooKeeper: it still reaches the other members and clients. */
    public void isolateFromZooKeeper(String address, String zkHost, int zkPort) throws IOException, InterruptedException {
        iptables("-N", chain);
        iptables("-A", chain, "-s", address, "-d", zkHost, "-p", "tcp", "--dport", Integer.toString(zkPort), "-j", "DROP");
        iptables("-A", chain, "-s", zkHost, "-d", address, "-p", "tcp", "--sport", Integer.toString(zkPort), "-j", "DROP");
        iptables("-I", "INPUT", "1", "-j", chain);
        active = true;
    }

    public void heal() throws IOException, InterruptedException {
        if (!active) {
            return;
        }
        iptablesQuiet("-D", "INPUT", "-j", chain);
        iptablesQuiet("-F", chain);
        iptablesQuiet("-X", chain);
        active = false;
    }

    private static void iptables(String... args) throws IOException, InterruptedException {
        int exit = run(args);
        if (exit != 0) {
            throw new IOException("iptables " + String.join(" ", args) + " failed with " + exit);
        }
    }

    private static void iptablesQuiet(String... args) throws IOException, InterruptedException {
        run(args);
    }

    private static int run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return 124;
        }
        return p.exitValue();
    }

    public static boolean available() {
        try {
            return run("-L", "INPUT", "-n") == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        heal();
    }
}
