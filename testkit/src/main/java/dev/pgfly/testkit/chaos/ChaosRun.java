package dev.pgfly.testkit.chaos;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Partition;
import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.WritableProbe;
import tools.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A seeded fault campaign against a live HA cluster: bank and list-append clients run through the
 * proxy, a probe asks every member directly whether it accepts writes, faults are injected round
 * after round, and at the end the history is checked, the cluster must heal to one primary with
 * every other member streaming, and every member must hold identical data.
 */
public final class ChaosRun {
    private static final long HEAL_TIMEOUT_MILLIS = 120_000;

    /**
     * {@code minutes}: a time budget for injecting faults (0: none). Once spent, no new round starts;
     * the final heal and every check still run, so a run bounded by time still gives its verdict.
     */
    public record Options(long seed, int rounds, boolean sync, int faultsPerRound, int clients, int minutes) {
        public Options(long seed, int rounds, boolean sync, int faultsPerRound, int clients) {
            this(seed, rounds, sync, faultsPerRound, clients, 0);
        }
    }

    public record Summary(Options options, int rounds, int operations, Map<FaultSchedule.Kind, Integer> faults,
                          Checker.Report report, List<String> splitBrains, long longestWriteGapMillis,
                          long longestRecoveryMillis, long finalRecoveryMillis, boolean healed, boolean identicalData) {

        public boolean passed() {
            return report.clean(!options.sync()) && splitBrains.isEmpty() && healed && identicalData;
        }

        public String line() {
            return String.format("chaos seed %d (%s): %d rounds%s, %d operations, faults %s; acknowledged writes lost %d;"
                            + " split-brain intervals %d; longest write unavailability %d ms; longest recovery %d ms;"
                            + " full recovery after the final heal %d ms; healed after every fault: %s; %s;"
                            + " data identical on all members: %s",
                    options.seed(), options.sync() ? "sync" : "async", rounds,
                    rounds < options.rounds() ? " (of " + options.rounds() + " scheduled)" : "",
                    operations, faults,
                    report.lostAppends(), splitBrains.size(), longestWriteGapMillis, longestRecoveryMillis,
                    finalRecoveryMillis, healed ? "yes" : "NO", report.summary(), identicalData ? "yes" : "NO");
        }
    }

    private ChaosRun() {
    }

    /** Wall-clock time of a round's lines, to find them in the members' logs and the events history. */
    static String clock() {
        return LocalTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS) + "Z";
    }

    public static Summary run(Pgfly pgfly, Options o, PrintStream out) throws Exception {
        String cluster = "chaos";
        List<String> create = new ArrayList<>(List.of("create", cluster, "--config", "ha"));
        if (o.sync()) {
            create.add("--sync");
        }
        pgfly.ok(create.toArray(String[]::new));
        String url = pgfly.ok("url", cluster).out().strip();
        String password = Files.readString(pgfly.home().resolve("clusters/" + cluster + "/secrets/superuser.password")).strip();
        List<List<FaultSchedule.Fault>> schedule = FaultSchedule.draw(o.seed(), o.rounds(), o.faultsPerRound(),
                Partition.available());
        out.printf("chaos: seed %d, %d rounds, %s replication, schedule %s%n", o.seed(), o.rounds(),
                o.sync() ? "synchronous" : "asynchronous", schedule);
        History history = new History();
        Map<FaultSchedule.Kind, Integer> injected = new EnumMap<>(FaultSchedule.Kind.class);
        Faults faults = new Faults(pgfly, cluster);
        long longestRecovery = 0;
        try (WritableProbe probe = new WritableProbe(WritableProbe.of(pgfly.status(cluster)), password);
             BankWorkload bank = new BankWorkload(url, history);
             ListAppendWorkload lists = new ListAppendWorkload(url, history)) {
            bank.start(o.clients(), o.seed());
            lists.start(o.clients(), o.seed() + 1);
            long deadline = o.minutes() > 0 ? System.currentTimeMillis() + o.minutes() * 60_000L : Long.MAX_VALUE;
            int roundsRun = 0;
            boolean healedEveryRound = true;
            for (int round = 0; round < schedule.size(); round++) {
                if (System.currentTimeMillis() >= deadline) {
                    out.printf("chaos: the %d-minute budget is spent after %d of %d rounds%n", o.minutes(), round, schedule.size());
                    break;
                }
                if (!awaitHealthyQuietly(pgfly, cluster)) {
                    // Healthy at the end of the last round, unhealthy since: a failure like any other,
                    // and the history is still checked (a run once ended here on an exception, unchecked).
                    out.printf("%s round %d: NOT healthy within %d s before the fault: %s%n", clock(), round + 1,
                            HEAL_TIMEOUT_MILLIS / 1000, pgfly.status(cluster));
                    healedEveryRound = false;
                    break;
                }
                roundsRun++;
                Thread.sleep(1_000);
                JsonNode status = pgfly.statusFromDaemon(cluster);
                long started = System.currentTimeMillis();
                List<Faults.Heal> heals = new ArrayList<>();
                Set<String> hit = new HashSet<>();
                String refused = null;
                for (FaultSchedule.Fault fault : schedule.get(round)) {
                    JsonNode member = Faults.target(status, fault);
                    if (!hit.add(member.get("name").asString())) {
                        continue;
                    }
                    boolean onMember = !fault.clusterWide() || fault.kind() == FaultSchedule.Kind.REMOVE_AND_ADD;
                    out.printf("%s round %d: %s%s%n", clock(), round + 1, fault, onMember ? " on " + member.get("name").asString() : "");
                    try {
                        heals.add(faults.inject(fault, member));
                    } catch (AssertionError | RuntimeException e) {
                        // A switchover or member change refused by a cluster the checks called healthy:
                        // a failure of this round, and, as for one that does not heal, the history is
                        // still checked (a run once ended here on an exception, unchecked).
                        refused = fault + ": " + String.valueOf(e.getMessage()).strip();
                        break;
                    }
                    injected.merge(fault.kind(), 1, Integer::sum);
                }
                for (Faults.Heal heal : heals) {
                    heal.run();
                }
                if (refused != null) {
                    out.printf("%s round %d: FAILED to inject %s%n", clock(), round + 1, refused);
                    healedEveryRound = false;
                    break;
                }
                if (!awaitHealthyQuietly(pgfly, cluster)) {
                    // No more faults, but the history is still checked: whether anything acknowledged was
                    // lost matters most when the cluster did not heal.
                    out.printf("%s round %d: NOT healthy within %d s of the fault: %s%n", clock(), round + 1,
                            HEAL_TIMEOUT_MILLIS / 1000, pgfly.status(cluster));
                    healedEveryRound = false;
                    break;
                }
                long recovered = System.currentTimeMillis() - started;
                longestRecovery = Math.max(longestRecovery, recovered);
                out.printf("%s round %d: healthy again %d ms after the fault%n", clock(), round + 1, recovered);
            }
            Thread.sleep(2_000);
            bank.close();
            lists.close();
            long finalHealStarted = System.currentTimeMillis();
            boolean healed = healedEveryRound && awaitHealthyQuietly(pgfly, cluster);
            long finalRecovery = System.currentTimeMillis() - finalHealStarted;
            FinalState end = FinalState.read(url);
            Map<Integer, List<Long>> finalLists = end.lists();
            long finalTotal = end.bankTotal();
            boolean identical = identicalOnAllMembers(pgfly.status(cluster), password);
            List<Op> ops = history.ops();
            Checker.Report report = Checker.check(ops, finalLists, finalTotal, BankWorkload.TOTAL);
            report.examples().forEach(e -> out.println("  finding: " + e));
            Summary s = new Summary(o, roundsRun, ops.size(), injected, report, probe.splitBrains(),
                    longestWriteGap(ops), longestRecovery, finalRecovery, healed, identical);
            out.println(s.line());
            return s;
        }
    }

    /** Waits until one primary leads and every other member streams from it; false after the heal timeout. */
    private static boolean awaitHealthyQuietly(Pgfly pgfly, String cluster) throws InterruptedException {
        long deadline = System.currentTimeMillis() + HEAL_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            try {
                if ("running".equals(pgfly.stateFromDaemon(cluster))) {
                    return true;
                }
            } catch (RuntimeException e) {
                // the daemon is busy (e.g. a member being added): ask again
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** Per-table checksums, member by member, until replicas have replayed everything (bounded). */
    static boolean identicalOnAllMembers(JsonNode status, String password) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            Set<String> digests = new HashSet<>();
            try {
                for (JsonNode m : status.get("members")) {
                    try (Connection c = Db.direct(m.get("host").asString(), m.get("port").asInt(), password, 5, null);
                         Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT (SELECT md5(string_agg(id || ':' || balance, ',' ORDER BY id))"
                                 + " FROM accounts) || (SELECT md5(string_agg(k || ':' || vals::text, ',' ORDER BY k)) FROM lists)")) {
                        rs.next();
                        digests.add(rs.getString(1));
                    }
                }
                if (digests.size() == 1) {
                    return true;
                }
            } catch (SQLException e) {
                // a member still restarting: try again
            }
            Thread.sleep(500);
        }
        return false;
    }

    /** The longest time between two acknowledged writes (transfers or appends) from any client. */
    static long longestWriteGap(List<Op> ops) {
        long[] acks = ops.stream()
                .filter(op -> (op.kind() == Op.Kind.TRANSFER || op.kind() == Op.Kind.APPEND) && op.outcome() == Op.Outcome.OK)
                .mapToLong(Op::completedAt).sorted().toArray();
        long longest = 0;
        for (int i = 1; i < acks.length; i++) {
            longest = Math.max(longest, acks[i] - acks[i - 1]);
        }
        return longest;
    }
}
