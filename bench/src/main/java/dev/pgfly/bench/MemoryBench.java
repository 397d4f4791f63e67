package dev.pgfly.bench;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/**
 * Resident memory of pgfly's own processes (each agent, the proxy, the daemon) in a three-member
 * cluster, after it settled and again after a minute of writes and scrapes, beside PostgreSQL's
 * postmasters for scale; and the CPU each of them uses while the cluster sits idle for 30 s, the cost
 * of watching a cluster nobody uses. Prints figures; passes or fails nothing.
 *
 * <p>usage: MemoryBench [seconds of load, default 60]
 */
public final class MemoryBench {
    private MemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        try (Pgfly pgfly = new Pgfly()) {
            pgfly.ok("create", "mem", "--config", "ha");
            Thread.sleep(5_000);
            report("settled", pgfly);
            idleCpu(pgfly, 30);
            String url = pgfly.ok("url", "mem").out().strip();
            long end = System.currentTimeMillis() + seconds * 1000L;
            try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE load (id bigserial PRIMARY KEY, payload text)");
                while (System.currentTimeMillis() < end) {
                    st.execute("INSERT INTO load (payload) SELECT repeat('x', 100) FROM generate_series(1, 100)");
                    pgfly.ok("status", "mem", "--json");
                }
            }
            report("after " + seconds + " s of writes and status calls", pgfly);
        }
    }

    private static void report(String when, Pgfly pgfly) throws IOException {
        JsonNode status = pgfly.status("mem");
        System.out.printf("%nmemory (%s), resident set size:%n", when);
        for (JsonNode m : status.get("members")) {
            System.out.printf("  agent %s (pid %d): %s; its postmaster: %d MB%n", m.get("name").asString(),
                    m.get("agent_pid").asLong(), footprint(m.get("agent_pid").asLong()),
                    rssKb(m.path("postgres_pid").asLong(0)) / 1024);
        }
        long proxy = proxyPid(pgfly);
        System.out.printf("  proxy (pid %d): %s%n", proxy, footprint(proxy));
        long daemonPid = daemonPid(pgfly);
        System.out.printf("  daemon with embedded ZooKeeper (pid %d): %s%n", daemonPid, footprint(daemonPid));
    }

    /** Each pgfly process's CPU over an idle window, as a share of one core. */
    private static void idleCpu(Pgfly pgfly, int seconds) throws Exception {
        java.util.Map<String, Long> pids = new java.util.LinkedHashMap<>();
        for (JsonNode m : pgfly.status("mem").get("members")) {
            pids.put("agent " + m.get("name").asString(), m.get("agent_pid").asLong());
        }
        pids.put("proxy", proxyPid(pgfly));
        pids.put("daemon with embedded ZooKeeper", daemonPid(pgfly));
        java.util.Map<String, Long> before = new java.util.HashMap<>();
        for (var e : pids.entrySet()) {
            before.put(e.getKey(), cpuTicks(e.getValue()));
        }
        Thread.sleep(seconds * 1000L);
        System.out.printf("%nCPU while idle for %d s, share of one core:%n", seconds);
        for (var e : pids.entrySet()) {
            long ticks = cpuTicks(e.getValue()) - before.get(e.getKey());
            System.out.printf("  %s: %.1f%%%n", e.getKey(), ticks * 100.0 / (seconds * 100.0));
        }
    }

    private static long proxyPid(Pgfly pgfly) throws IOException {
        Path pidFile = pgfly.home().resolve("daemon/children/mem.proxy.pid");
        return Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
    }

    private static long daemonPid(Pgfly pgfly) throws IOException {
        Path info = pgfly.home().resolve("daemon/daemon.json");
        return dev.pgfly.core.util.Json.MAPPER.readTree(Files.readString(info)).get("pid").asLong();
    }

    /** User and system CPU of a process in clock ticks (1/100 s), from /proc/PID/stat. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
    }

    static long rssKb(long pid) throws IOException {
        return procField(pid, "status", "VmRSS:");
    }

    /**
     * Resident set size, and what it is made of: the process's own pages (anonymous: heap, metaspace, stacks,
     * malloc) and file pages (the jar, libjvm, class data archives), which other processes may share; and the
     * proportional set size, where each shared page counts once over all the processes that map it.
     */
    static String footprint(long pid) throws IOException {
        return String.format("%d MB (own %d MB, file %d MB; proportional %d MB)", rssKb(pid) / 1024,
                procField(pid, "status", "RssAnon:") / 1024, procField(pid, "status", "RssFile:") / 1024,
                procField(pid, "smaps_rollup", "Pss:") / 1024);
    }

    private static long procField(long pid, String file, String field) throws IOException {
        Path path = Path.of("/proc/" + pid + "/" + file);
        if (pid <= 0 || !Files.exists(path)) {
            return 0;
        }
        for (String line : Files.readAllLines(path)) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
