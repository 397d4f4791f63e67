package dev.pgfly.bench;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * Snapshot and restore throughput for a pgbench database, next to plain {@code pg_basebackup -Ft -z}
 * from the same member, and the time of a point-in-time restore. Throughput is the database size
 * (pg_database_size of all databases) over wall-clock time.
 *
 * <p>usage: BackupBench [pgbench scale, default 50]
 */
public final class BackupBench {
    private BackupBench() {
    }

    public static void main(String[] args) throws Exception {
        int scale = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        String bin = System.getenv().getOrDefault("PGFLY_PG_BIN", "/usr/lib/postgresql/15/bin");
        try (Pgfly pgfly = new Pgfly()) {
            pgfly.ok("create", "bench");
            String url = pgfly.ok("url", "bench").out().strip();
            run(List.of(bin + "/pgbench", "-i", "-q", "-s", Integer.toString(scale), url.replace("postgres://", "postgresql://")));
            long dbBytes = Long.parseLong(query(url, "SELECT sum(pg_database_size(oid)) FROM pg_database"));
            System.out.printf("pgbench scale %d: %.0f MB of databases%n", scale, dbBytes / 1e6);

            long t0 = System.nanoTime();
            pgfly.ok("backup", "create", "bench");
            double snapshot = seconds(t0);

            JsonNode m1 = pgfly.status("bench").get("members").get(0);
            Path plain = Files.createTempDirectory("pg-basebackup-bench");
            String password = Files.readString(pgfly.home().resolve("clusters/bench/secrets/replication.password")).strip();
            t0 = System.nanoTime();
            run(List.of(bin + "/pg_basebackup", "-h", m1.get("host").asString(), "-p", m1.get("port").asString(),
                    "-U", "pgfly_replicator", "-D", plain.resolve("out").toString(), "-Ft", "-z", "-X", "stream", "-c", "fast"),
                    Map.of("PGPASSWORD", password));
            double basebackup = seconds(t0);
            dev.pgfly.core.util.FileTrees.delete(plain);

            t0 = System.nanoTime();
            pgfly.ok("create", "restored", "--from-backup", "bench");
            double restore = seconds(t0);
            pgfly.ok("destroy", "restored", "--yes");

            run(List.of(bin + "/pgbench", "-n", "-T", "10", "-c", "2", url.replace("postgres://", "postgresql://")));
            String target = query(url, "SELECT now()::text");
            // Recovery stops at the first commit after the target: there must be one.
            query(url, "SELECT txid_current()::text");
            // Recovery must find a commit after the target in the archive: wait until the switched segment is there.
            String segment = query(url, "SELECT pg_walfile_name(pg_switch_wal())");
            long deadline = System.currentTimeMillis() + 300_000;
            while (System.currentTimeMillis() < deadline
                    && query(url, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").compareTo(segment) < 0) {
                Thread.sleep(500);
            }
            t0 = System.nanoTime();
            pgfly.ok("create", "pitr", "--from-backup", "bench", "--target-time", target);
            double pitr = seconds(t0);

            System.out.printf("%nbackup bench (database %.0f MB)%n", dbBytes / 1e6);
            System.out.printf("  pgfly backup create:            %6.1f s  %6.1f MB/s%n", snapshot, dbBytes / 1e6 / snapshot);
            System.out.printf("  plain pg_basebackup -Ft -z:     %6.1f s  %6.1f MB/s%n", basebackup, dbBytes / 1e6 / basebackup);
            System.out.printf("  create --from-backup (restore): %6.1f s  %6.1f MB/s (includes starting the cluster)%n",
                    restore, dbBytes / 1e6 / restore);
            System.out.printf("  restore to a point in time:     %6.1f s  (after 10 s of pgbench writes)%n", pitr);
        }
    }

    private static String query(String url, String sql) throws Exception {
        try (Connection c = Db.connect(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void run(List<String> argv) throws Exception {
        run(argv, Map.of());
    }

    private static void run(List<String> argv, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        int exit = pb.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(argv.getFirst() + " failed with " + exit);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
