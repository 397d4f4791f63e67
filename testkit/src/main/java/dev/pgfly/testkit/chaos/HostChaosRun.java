package dev.pgfly.testkit.chaos;

import dev.pgfly.testkit.WritableProbe;
import tools.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fault campaign of {@link ChaosRun} over namespace hosts: one {@code --config ha} cluster with a member
 * on each of three hosts, the same bank and list-append clients and checker through the multi-host URL, a
 * probe asking every member directly (from the bench JVM, over the bridge) whether it accepts writes, and
 * the faults of {@link HostFaultSchedule}. Each round says what it injected and how long the cluster took
 * to heal; at the end every round and every fault kind gets its write unavailability, acknowledged writes
 * lost and split-brain samples.
 */
public final class HostChaosRun {
    public static final String CLUSTER = "chaos";
    /** The longest fault lasts 20 s, a crashed node needs a JVM start and its member a rewind or a clone. */
    private static final long HEAL_TIMEOUT_MILLIS = 180_000;
    /**
     * The size of each member's data volume when the schedule fills one: as DiskGuardIT's, room for the
     * data, the WAL the volume's budget keeps and a re-clone beside a copy set aside.
     */
    static final int VOLUME_MEGABYTES = 256;
    /** The members of a {@code --config ha} cluster, each of which may be the primary when a disk fills. */
    static final List<String> MEMBERS = List.of("m1", "m2", "m3");

    public record Summary(ChaosRun.Options options, int scheduled, List<RoundStats.Round> rounds, List<RoundStats.Figures> figures,
                          List<RoundStats.KindFigures> kinds, int operations, Checker.Report report, List<String> splitBrains,
                          long longestWriteGapMillis, long finalRecoveryMillis, boolean healed, boolean identicalData) {

        public boolean passed() {
            return report.clean(!options.sync()) && splitBrains.isEmpty() && healed && identicalData;
        }

        public int lost() {
            return report.lostAppends();
        }

        public String line() {
            long byDesign = rounds.stream().filter(RoundStats.Round::byDesign).count();
            return String.format("chaos --hosts seed %d (%s, %d fault(s) a round): %d rounds%s, %d operations;"
                            + " acknowledged appends lost %d; split-brain samples %d; longest write unavailability %d ms%s;"
                            + " longest heal %d ms; full recovery after the final heal %d ms; healed after every fault: %s; %s;"
                            + " data identical on all members: %s",
                    options.seed(), options.sync() ? "sync" : "async", options.faultsPerRound(), rounds.size(),
                    rounds.size() < scheduled ? " (of " + scheduled + " scheduled)" : "", operations, report.lostAppends(),
                    splitBrains.size(), longestWriteGapMillis,
                    byDesign > 0 ? " (" + byDesign + " round(s) unavailable, by design: ZooKeeper lost its majority)" : "",
                    rounds.stream().mapToLong(RoundStats.Round::healMillis).max().orElse(0), finalRecoveryMillis,
                    healed ? "yes" : "NO", report.summary(), identicalData ? "yes" : "NO");
        }
    }

    private HostChaosRun() {
    }

    /** A run whose schedule is drawn from the options' seed. */
    public static Summary run(HostInstall install, ChaosRun.Options o, PrintStream out) throws Exception {
        return run(install, o, HostFaultSchedule.draw(o.seed(), o.rounds(), o.faultsPerRound()), out);
    }

    public static Summary run(HostInstall install, ChaosRun.Options o, List<List<HostFaultSchedule.Fault>> schedule,
                              PrintStream out) throws Exception {
        if (schedule.stream().flatMap(List::stream).anyMatch(f -> f.kind() == HostFaultSchedule.Kind.DISK_FULL)) {
            install.mountDataVolumes(CLUSTER, MEMBERS, VOLUME_MEGABYTES, out);
        }
        List<String> create = new ArrayList<>(List.of("create", CLUSTER, "--config", "ha"));
        if (o.sync()) {
            create.add("--sync");
        }
        install.node(1).ok(create.toArray(String[]::new));
        String url = install.node(1).ok("url", CLUSTER).out().strip();
        String password = install.password(CLUSTER);
        JsonNode initial = install.awaitHealthy(CLUSTER, 3, HEAL_TIMEOUT_MILLIS);
        if (initial == null) {
            throw new IllegalStateException("the new cluster did not become healthy: " + install.status(CLUSTER));
        }
        int members = initial.get("members").size();
        int voters = Math.min(3, install.size());
        out.printf("chaos --hosts %d: seed %d, %d rounds, %s replication, url %s, schedule %s%n", install.size(), o.seed(),
                schedule.size(), o.sync() ? "synchronous" : "asynchronous", url, schedule);
        History history = new History();
        HostFaults faults = new HostFaults(install, CLUSTER, out);
        List<RoundStats.Round> rounds = new ArrayList<>();
        try (WritableProbe probe = new WritableProbe(WritableProbe.of(initial), password, null);
             BankWorkload bank = new BankWorkload(url, history);
             ListAppendWorkload lists = new ListAppendWorkload(url, history)) {
            bank.start(o.clients(), o.seed());
            lists.start(o.clients(), o.seed() + 1);
            long deadline = o.minutes() > 0 ? System.currentTimeMillis() + o.minutes() * 60_000L : Long.MAX_VALUE;
            boolean healedEveryRound = true;
            for (int r = 0; r < schedule.size(); r++) {
                int number = r + 1;
                if (System.currentTimeMillis() >= deadline) {
                    out.printf("chaos: the %d-minute budget is spent after %d of %d rounds%n", o.minutes(), r, schedule.size());
                    break;
                }
                JsonNode status = install.awaitHealthy(CLUSTER, members, HEAL_TIMEOUT_MILLIS);
                if (status == null) {
                    out.printf("%s round %d: NOT healthy within %d s before the fault: %s%n", ChaosRun.clock(), number,
                            HEAL_TIMEOUT_MILLIS / 1000, statusQuietly(install));
                    healedEveryRound = false;
                    break;
                }
                Thread.sleep(1_000);
                JsonNode now = statusOrNull(install);
                if (HostInstall.healthy(now, members)) {
                    status = now;
                }
                List<HostFaultSchedule.Fault> round = schedule.get(r);
                boolean byDesign = HostFaultSchedule.quorumLostByDesign(round, voters);
                String zkLeader = install.zooKeeperLeader();
                long started = System.currentTimeMillis();
                List<Faults.Heal> heals = new ArrayList<>();
                Set<String> hit = new HashSet<>();
                Set<Long> killed = new HashSet<>();
                String refused = null;
                for (HostFaultSchedule.Fault fault : round) {
                    JsonNode member = target(status, fault);
                    if (!hit.add(member.get("name").asString())) {
                        continue;
                    }
                    out.printf("%s round %d: %s on %s (%s; ZooKeeper leader on %s)%s%n", ChaosRun.clock(), number, fault,
                            member.get("node").asString(), member.get("name").asString(), zkLeader, byDesign ? ", ZooKeeper loses its majority: writes stop by design" : "");
                    killed.addAll(killedBy(fault, member));
                    try {
                        heals.add(faults.inject(fault, member));
                    } catch (AssertionError | RuntimeException e) {
                        refused = fault + ": " + String.valueOf(e.getMessage()).strip();
                        break;
                    }
                }
                runTogether(heals, out);
                long healedAt = System.currentTimeMillis();
                boolean diskFull = round.stream().anyMatch(f -> f.kind() == HostFaultSchedule.Kind.DISK_FULL);
                if (refused != null) {
                    out.printf("%s round %d: FAILED to inject %s%n", ChaosRun.clock(), number, refused);
                    rounds.add(new RoundStats.Round(number, round, started, -1, byDesign));
                    healedEveryRound = false;
                    break;
                }
                // A full disk leaves the status healthy while writes are refused: healed once a client's write,
                // begun after the filler was removed, is acknowledged again.
                JsonNode after = install.awaitHealthy(CLUSTER, members, HEAL_TIMEOUT_MILLIS, s -> HostInstall.noneOf(s, killed)
                        && (!diskFull || writeAcknowledgedSince(history.ops(), healedAt)));
                long heal = after == null ? -1 : System.currentTimeMillis() - started;
                rounds.add(new RoundStats.Round(number, round, started, heal, byDesign));
                if (after == null) {
                    out.printf("%s round %d: NOT healthy within %d s of the fault: %s%n", ChaosRun.clock(), number,
                            HEAL_TIMEOUT_MILLIS / 1000, statusQuietly(install));
                    healedEveryRound = false;
                    break;
                }
                out.printf("%s round %d: healthy again %d ms after the fault, primary on %s%n", ChaosRun.clock(), number, heal,
                        HostInstall.primary(after).get("node").asString());
            }
            Thread.sleep(2_000);
            bank.close();
            lists.close();
            long finalHealStarted = System.currentTimeMillis();
            JsonNode last = healedEveryRound ? install.awaitHealthy(CLUSTER, members, HEAL_TIMEOUT_MILLIS) : null;
            long finalRecovery = System.currentTimeMillis() - finalHealStarted;
            probe.close();
            FinalState end = FinalState.read(url);
            Map<Integer, List<Long>> finalLists = end.lists();
            long finalTotal = end.bankTotal();
            boolean identical = ChaosRun.identicalOnAllMembers(last != null ? last : install.status(CLUSTER), password);
            List<Op> ops = history.ops();
            Checker.Report report = Checker.check(ops, finalLists, finalTotal, BankWorkload.TOTAL);
            report.examples().forEach(e -> out.println("  finding: " + e));
            List<Long> splitTimes = probe.splitBrains().stream().map(RoundStats::sampleTime).toList();
            List<RoundStats.Figures> figures = RoundStats.figures(rounds, ops, RoundStats.lostValues(ops, finalLists), splitTimes);
            List<RoundStats.KindFigures> kinds = RoundStats.byKind(rounds, figures);
            printTables(out, rounds, figures, kinds);
            Summary s = new Summary(o, schedule.size(), rounds, figures, kinds, ops.size(), report, probe.splitBrains(),
                    ChaosRun.longestWriteGap(ops), finalRecovery, healedEveryRound && last != null, identical);
            probe.splitBrains().stream().limit(10).forEach(b -> out.println("  split-brain sample: " + b));
            out.println(s.line());
            return s;
        }
    }

    /** Every fault of a round lasts its own time, at the same time as the others (not one after the other). */
    private static void runTogether(List<Faults.Heal> heals, PrintStream out) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        for (Faults.Heal heal : heals) {
            threads.add(Thread.ofPlatform().name("heal").start(() -> {
                try {
                    heal.run();
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        failures.forEach(e -> out.println("  (a heal failed: " + e + ")"));
    }

    /** Whether a write (a transfer or an append) invoked at or after {@code since} was acknowledged. */
    static boolean writeAcknowledgedSince(List<Op> ops, long since) {
        for (int i = ops.size() - 1; i >= 0; i--) {
            Op op = ops.get(i);
            if ((op.kind() == Op.Kind.TRANSFER || op.kind() == Op.Kind.APPEND) && op.outcome() == Op.Outcome.OK
                    && op.invokedAt() >= since) {
                return true;
            }
        }
        return false;
    }

    /** The processes a fault kills (a host crash: the member's agent and PostgreSQL with everything else). */
    static Set<Long> killedBy(HostFaultSchedule.Fault fault, JsonNode member) {
        long agent = member.path("agent_pid").asLong(0);
        long postgres = member.path("postgres_pid").asLong(0);
        Set<Long> pids = new HashSet<>();
        switch (fault.kind()) {
            case KILL_AGENT -> pids.add(agent);
            case KILL_POSTGRES -> pids.add(postgres);
            case KILL_BOTH, HOST_CRASH, VOTER_CRASH -> {
                pids.add(agent);
                pids.add(postgres);
            }
            default -> {
                // nothing dies: a pause, a cut, a loss or a switchover
            }
        }
        pids.remove(0L);
        return pids;
    }

    /** The member a fault's role points at, in the current status: the primary, or the n-th replica by name. */
    static JsonNode target(JsonNode status, HostFaultSchedule.Fault fault) {
        JsonNode primary = HostInstall.primary(status);
        List<JsonNode> replicas = new ArrayList<>();
        for (JsonNode m : status.get("members")) {
            if (m != primary) {
                replicas.add(m);
            }
        }
        replicas.sort(Comparator.comparing(m -> m.get("name").asString()));
        if (fault.onPrimary() || replicas.isEmpty()) {
            return primary;
        }
        return replicas.get(fault.replica() % replicas.size());
    }

    private static JsonNode statusOrNull(HostInstall install) {
        try {
            return install.status(CLUSTER);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String statusQuietly(HostInstall install) {
        try {
            return install.status(CLUSTER).toString();
        } catch (RuntimeException e) {
            return "no node answered: " + e.getMessage();
        }
    }

    private static void printTables(PrintStream out, List<RoundStats.Round> rounds, List<RoundStats.Figures> figures,
                                    List<RoundStats.KindFigures> kinds) {
        out.printf("%nround  heal ms  writes unavailable ms  lost  split-brain  faults%n");
        for (int r = 0; r < rounds.size(); r++) {
            RoundStats.Round round = rounds.get(r);
            RoundStats.Figures f = figures.get(r);
            out.printf("%5d  %7s  %21d  %4d  %11d  %s%s%n", round.number(), round.healMillis() < 0 ? "NEVER" : round.healMillis(),
                    f.writeGapMillis(), f.lost(), f.splitBrains(), round.faults(),
                    round.byDesign() ? "  unavailable, by design" : "");
        }
        out.printf("%nper fault kind:%n");
        kinds.forEach(k -> out.println(k.line()));
        out.println();
    }
}
