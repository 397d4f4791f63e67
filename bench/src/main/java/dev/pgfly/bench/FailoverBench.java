package dev.pgfly.bench;

import dev.pgfly.testkit.Partition;
import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.Writer;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measures, over several runs, the write unavailability a client sees through the proxy when the
 * primary's host dies (agent and PostgreSQL killed with SIGKILL), and the write pause of a planned
 * switchover. Prints median and max; it passes or fails nothing.
 *
 * <p>usage: FailoverBench [runs] [--sync] | FailoverBench --hosts [runs] [--no-local] (see {@link HostFailoverBench})
 */
public final class FailoverBench {
    private FailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--hosts")) {
            HostFailoverBench.main(List.of(args).stream().filter(a -> !a.equals("--hosts")).toArray(String[]::new));
            return;
        }
        int runs = args.length > 0 && args[0].matches("\\d+") ? Integer.parseInt(args[0]) : 5;
        boolean sync = List.of(args).contains("--sync");
        List<Long> hostLoss = new ArrayList<>();
        List<Long> cutOff = new ArrayList<>();
        List<Long> switchover = new ArrayList<>();
        try (Pgfly pgfly = new Pgfly()) {
            List<String> create = new ArrayList<>(List.of("create", "bench", "--config", "ha"));
            if (sync) {
                create.add("--sync");
            }
            pgfly.ok(create.toArray(String[]::new));
            String url = pgfly.ok("url", "bench").out().strip();
            try (Writer writer = new Writer(url)) {
                for (int run = 1; run <= runs; run++) {
                    awaitHealthy(pgfly);
                    writer.awaitMoreAcks(20, 30_000);
                    JsonNode primary = primary(pgfly);
                    writer.resetGap();
                    ProcessHandle.of(primary.get("agent_pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
                    ProcessHandle.of(primary.get("postgres_pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
                    writer.awaitMoreAcks(20, 120_000);
                    hostLoss.add(writer.longestGapMillis());
                    System.out.printf("run %d: host loss of %s: writes unavailable for %d ms%n", run,
                            primary.get("name").asString(), writer.longestGapMillis());

                    if (Partition.available()) {
                        // The host is gone for good as far as the others can tell: no agent restarts
                        // and removes its stale leader node, so the session has to expire first.
                        awaitHealthy(pgfly);
                        writer.awaitMoreAcks(20, 30_000);
                        primary = primary(pgfly);
                        writer.resetGap();
                        try (Partition p = new Partition("bench")) {
                            p.isolate(primary.get("host").asString());
                            writer.awaitMoreAcks(20, 120_000);
                        }
                        cutOff.add(writer.longestGapMillis());
                        System.out.printf("run %d: %s cut off (iptables): writes unavailable for %d ms%n", run,
                                primary.get("name").asString(), writer.longestGapMillis());
                    }

                    awaitHealthy(pgfly);
                    writer.awaitMoreAcks(20, 30_000);
                    writer.resetGap();
                    pgfly.ok("failover", "bench");
                    writer.awaitMoreAcks(20, 60_000);
                    switchover.add(writer.longestGapMillis());
                    System.out.printf("run %d: switchover: write pause %d ms%n", run, writer.longestGapMillis());
                }
            }
        }
        System.out.printf("%nfailover bench (%s replication, %d runs)%n", sync ? "synchronous" : "asynchronous", runs);
        System.out.printf("  primary's agent and PostgreSQL killed (the daemon restarts the agent), write unavailability:"
                + " median %d ms, max %d ms%n", median(hostLoss), max(hostLoss));
        if (!cutOff.isEmpty()) {
            System.out.printf("  primary's host cut off with iptables (session must expire), write unavailability:"
                    + " median %d ms, max %d ms%n", median(cutOff), max(cutOff));
        }
        System.out.printf("  switchover, write pause:         median %d ms, max %d ms%n", median(switchover), max(switchover));
    }

    static void awaitHealthy(Pgfly pgfly) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode s = pgfly.status("bench");
            if ("running".equals(s.get("state").asString())) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("cluster did not become healthy: " + pgfly.status("bench"));
    }

    static JsonNode primary(Pgfly pgfly) {
        JsonNode s = pgfly.status("bench");
        for (JsonNode m : s.get("members")) {
            if (m.get("name").asString().equals(s.get("leader").asString())) {
                return m;
            }
        }
        throw new IllegalStateException("no primary");
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
