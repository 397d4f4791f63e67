package dev.pgfly.bench;

import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.Writer;
import dev.pgfly.testkit.chaos.HostInstall;
import dev.pgfly.testkit.hosts.Host;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Failover across hosts ({@code bench/failover --hosts}): three network-namespace hosts, one
 * {@code --config ha --sync} cluster with a member on each, a writer through the multi-host URL. Measures
 * the write unavailability when the primary's host is cut off (link down) and when it crashes (SIGKILL of
 * everything in it), each fault on the then-primary's host, healing in between; beside today's one-host
 * figure (the primary's agent and PostgreSQL killed) measured the same way. Then the idle CPU (share of
 * one core over 30 s) and resident memory of the installation, per process kind. Prints a table; passes
 * or fails nothing. Needs root.
 *
 * <p>usage: HostFailoverBench [runs, default 5] [--no-local]
 */
public final class HostFailoverBench {
    private static final String CLUSTER = "bench";
    private static final int IDLE_SECONDS = 30;

    /** What a process in a host is, from its command line. */
    enum ProcessKind { NODE, AGENT, PROXY, POSTGRES, OTHER }

    private HostFailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 && args[0].matches("\\d+") ? Integer.parseInt(args[0]) : 5;
        boolean local = !List.of(args).contains("--no-local");
        List<Long> localKill = local ? localKills(runs) : List.of();
        List<Long> cut = new ArrayList<>();
        List<Long> crash = new ArrayList<>();
        List<Long> replicaFollowing = new ArrayList<>();
        List<Long> replicaLeading = new ArrayList<>();
        Map<ProcessKind, Usage> idle;
        try (HostInstall install = HostInstall.start(3, System.out)) {
            install.node(1).ok("create", CLUSTER, "--config", "ha", "--sync");
            String url = install.node(1).ok("url", CLUSTER).out().strip();
            require(install.awaitHealthy(CLUSTER, 3, 180_000), install);
            Thread.sleep(5_000);
            idle = idleUsage(install, IDLE_SECONDS);
            try (Writer writer = new Writer(url)) {
                cut.addAll(measure(install, writer, runs, "cut off", h -> install.host(h).cut(), h -> install.host(h).heal()));
                // Any command in the host starts its node again.
                crash.addAll(measure(install, writer, runs, "crashed", h -> install.host(h).crash(),
                        h -> install.node(h).ok("node", "list")));
                measureReplicaCrashes(install, writer, runs, replicaFollowing, replicaLeading);
                require(install.awaitHealthy(CLUSTER, 3, 180_000), install);
            }
        }
        System.out.printf("%nfailover across hosts (synchronous replication, %d runs each), write unavailability:%n", runs);
        System.out.printf("  %-62s %8s %8s%n", "", "median", "max");
        if (local) {
            row("one host: the primary's agent and PostgreSQL killed", localKill);
        }
        row("three hosts: the primary's host cut off (link down)", cut);
        row("three hosts: the primary's host crashed (every process killed)", crash);
        row("three hosts: a replica's host crashed, its ZooKeeper peer following", replicaFollowing);
        row("three hosts: a replica's host crashed, its peer leading the ensemble", replicaLeading);
        System.out.printf("%nidle for %d s, three namespace hosts, one ha --sync cluster (a member on each):%n", IDLE_SECONDS);
        System.out.printf("  %-9s %9s %16s %14s %15s%n", "process", "count", "CPU (% of core)", "RSS total MB", "RSS each MB");
        for (var e : idle.entrySet()) {
            Usage u = e.getValue();
            System.out.printf("  %-9s %9d %16.1f %14d %15d%n", e.getKey().name().toLowerCase(), u.count, u.cpuPercent(IDLE_SECONDS),
                    u.rssKb / 1024, u.count == 0 ? 0 : u.rssKb / 1024 / u.count);
        }
    }

    /** Today's one-host figure, the same way: the primary's agent and PostgreSQL SIGKILLed, a writer through the proxy. */
    private static List<Long> localKills(int runs) throws Exception {
        List<Long> gaps = new ArrayList<>();
        try (Pgfly pgfly = new Pgfly()) {
            pgfly.ok("create", CLUSTER, "--config", "ha", "--sync");
            try (Writer writer = new Writer(pgfly.ok("url", CLUSTER).out().strip())) {
                for (int run = 1; run <= runs; run++) {
                    FailoverBench.awaitHealthy(pgfly);
                    writer.awaitMoreAcks(20, 30_000);
                    JsonNode primary = FailoverBench.primary(pgfly);
                    writer.resetGap();
                    ProcessHandle.of(primary.get("agent_pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
                    ProcessHandle.of(primary.get("postgres_pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
                    writer.awaitMoreAcks(20, 120_000);
                    gaps.add(writer.longestGapMillis());
                    System.out.printf("run %d: one host, %s's agent and PostgreSQL killed: writes unavailable for %d ms%n", run,
                            primary.get("name").asString(), writer.longestGapMillis());
                }
            }
        }
        return gaps;
    }

    /** Waits until the cluster is healthy and writes flow; the primary's host. */
    /**
     * {@code runs} times: the fault on the then-primary's host, the longest write gap until writes resume, then
     * the host back (the probe of reachable hosts told at each step).
     */
    private static List<Long> measure(HostInstall install, Writer writer, int runs, String what,
                                      java.util.function.IntConsumer fault, java.util.function.IntConsumer recover)
            throws InterruptedException {
        List<Long> gaps = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            int p = primaryHost(install, writer);
            writer.resetGap();
            fault.accept(p);
            install.reachable(p, false);
            boolean resumed = writer.awaitMoreAcks(20, 120_000);
            gaps.add(writer.longestGapMillis());
            System.out.printf("run %d: h%d (primary) %s: writes unavailable for %d ms%s%n", run, p, what,
                    writer.longestGapMillis(), resumed ? "" : " (writes did NOT resume within 120 s)");
            recover.accept(p);
            install.reachable(p, true);
        }
        return gaps;
    }

    /**
     * {@code runs} crashes of a host without the primary, taking turns between one whose ZooKeeper peer follows
     * (the primary's agent keeps its session on its own host's peer: no pause expected) and the one whose peer
     * leads the ensemble (the others elect a new leader and drop their clients meanwhile: S1 fences the
     * primary), when that is not the primary's own host.
     */
    private static void measureReplicaCrashes(HostInstall install, Writer writer, int runs, List<Long> following,
                                              List<Long> leading) throws InterruptedException {
        for (int run = 1; run <= runs * 2; run++) {
            int p = primaryHost(install, writer);
            Map<Integer, String> states = new java.util.TreeMap<>();
            for (JsonNode n : install.node(p).ok("node", "list", "--json").json()) {
                states.put(Integer.parseInt(n.get("name").asString().substring(1)), n.get("store_state").asString());
            }
            boolean wantLeader = run % 2 == 0;
            int victim = 0;
            for (var e : states.entrySet()) {
                if (e.getKey() != p && e.getValue().equals(wantLeader ? "leading" : "following")) {
                    victim = e.getKey();
                }
            }
            if (victim == 0 || (wantLeader ? leading : following).size() >= runs) {
                continue; // the ensemble's leader sits on the primary's host this time
            }
            writer.resetGap();
            install.host(victim).crash();
            install.reachable(victim, false);
            writer.awaitMoreAcks(100, 120_000);
            (wantLeader ? leading : following).add(writer.longestGapMillis());
            System.out.printf("run %d: h%d (replica, peer %s) crashed: longest write gap %d ms%n", run, victim,
                    states.get(victim), writer.longestGapMillis());
            install.node(victim).ok("node", "list");
            install.reachable(victim, true);
        }
    }

    private static int primaryHost(HostInstall install, Writer writer) throws InterruptedException {
        JsonNode s = require(install.awaitHealthy(CLUSTER, 3, 180_000), install);
        writer.awaitMoreAcks(20, 60_000);
        s = install.status(CLUSTER);
        return HostInstall.hostOf(HostInstall.primary(s));
    }

    private static JsonNode require(JsonNode healthy, HostInstall install) {
        if (healthy == null) {
            throw new IllegalStateException("the cluster did not become healthy within 180 s: " + install.status(CLUSTER));
        }
        return healthy;
    }

    private static void row(String what, List<Long> gaps) {
        System.out.printf("  %-62s %5d ms %5d ms%n", what, FailoverBench.median(gaps), FailoverBench.max(gaps));
    }

    /** CPU ticks and resident memory of one process kind, summed over every host. */
    static final class Usage {
        int count;
        long ticks;
        long rssKb;

        double cpuPercent(int seconds) {
            return ticks * 100.0 / (seconds * 100.0);
        }
    }

    /** Every process of every host, by kind: CPU over an idle window, and resident memory at its end. */
    private static Map<ProcessKind, Usage> idleUsage(HostInstall install, int seconds) throws InterruptedException {
        Map<Long, ProcessKind> kinds = new HashMap<>();
        Map<Long, Long> before = new HashMap<>();
        for (int i = 1; i <= install.size(); i++) {
            Host h = install.host(i);
            for (long pid : h.pids()) {
                try {
                    kinds.put(pid, kindOf(pid));
                    before.put(pid, MemoryBench.cpuTicks(pid));
                } catch (IOException e) {
                    // gone already
                }
            }
        }
        Thread.sleep(seconds * 1000L);
        Map<ProcessKind, Usage> usage = new LinkedHashMap<>();
        for (ProcessKind k : ProcessKind.values()) {
            usage.put(k, new Usage());
        }
        for (var e : before.entrySet()) {
            try {
                long ticks = MemoryBench.cpuTicks(e.getKey()) - e.getValue();
                Usage u = usage.get(kinds.get(e.getKey()));
                u.ticks += ticks;
                u.rssKb += MemoryBench.rssKb(e.getKey());
                u.count++;
            } catch (IOException ex) {
                // exited during the window (a short-lived PostgreSQL backend): not idle cost
            }
        }
        if (usage.get(ProcessKind.OTHER).count == 0) {
            usage.remove(ProcessKind.OTHER);
        }
        return usage;
    }

    static ProcessKind kindOf(long pid) throws IOException {
        String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).replace('\0', ' ');
        String comm = Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        if (cmdline.contains("-Dpgfly.role=daemon")) {
            return ProcessKind.NODE;
        }
        if (cmdline.contains(" agent --cluster ")) {
            return ProcessKind.AGENT;
        }
        if (cmdline.contains(" proxy --cluster ")) {
            return ProcessKind.PROXY;
        }
        if (comm.equals("postgres") || cmdline.startsWith("postgres:") || cmdline.contains("/bin/postgres ")) {
            return ProcessKind.POSTGRES;
        }
        return ProcessKind.OTHER;
    }
}
