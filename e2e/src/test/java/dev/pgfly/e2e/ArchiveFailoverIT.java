package dev.pgfly.e2e;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Archiving follows the primary across failovers: a two-member cluster, a snapshot on timeline 1,
 * rows A, a planned switchover, rows B1, a real failover (kill -9 of the primary's agent and
 * PostgreSQL), rows B2, then rows C after a noted time. A cluster restored to that time must hold A
 * and B and no C: recovery went from the snapshot's timeline through both timeline switches (history
 * files and the new primaries' segments in the archive), and the restored cluster writes on a
 * timeline of its own.
 */
class ArchiveFailoverIT {
    private static final String CLUSTER = "arc";
    private static Pgfly pgfly;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        pgfly.ok("create", CLUSTER, "--config", "ha", "--members", "2");
    }

    @AfterAll
    static void tearDown() throws Exception {
        pgfly.close();
        assertThat(pgfly.processes()).as("processes left behind").isEmpty();
    }

    @Test
    void restoreToAPointAfterASwitchoverAndAFailover() throws Exception {
        exec(CLUSTER, "CREATE TABLE rows (id int PRIMARY KEY, phase text NOT NULL)");
        pgfly.ok("backup", "create", CLUSTER);
        assertThat(timeline(CLUSTER)).isEqualTo(1);
        insert("A", 1, 100);

        // planned switchover: the old primary archives what it completed as it shuts down
        String first = leader();
        pgfly.ok("failover", CLUSTER);
        assertThat(leader()).isNotEqualTo(first);
        insert("B1", 101, 200);
        archiveNow(CLUSTER);

        // a real failover: nobody shuts down cleanly; the daemon restarts the agent and it rejoins
        JsonNode primary = primaryMember();
        long term = pgfly.status(CLUSTER).get("term").asLong();
        ProcessHandle.of(primary.get("agent_pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(primary.get("postgres_pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> pgfly.statusFromDaemon(CLUSTER), s -> !s.get("leader").isNull() && s.get("term").asLong() > term);
        insert("B2", 201, 300);
        int sourceTimeline = timeline(CLUSTER);
        assertThat(sourceTimeline).as("two timeline switches").isEqualTo(3);
        archiveNow(CLUSTER);
        String target = one(CLUSTER, "SELECT now()::text");
        Thread.sleep(300);
        insert("C", 301, 400);
        // recovery to a time needs a commit after it in the archive to know it got there
        archiveNow(CLUSTER);
        awaitBothStreaming();

        long started = System.nanoTime();
        pgfly.ok("create", "arcr", "--from-backup", CLUSTER, "--target-time", target);
        System.out.printf("restore across two timeline switches: %.1f s%n", (System.nanoTime() - started) / 1e9);
        assertThat(one("arcr", "SELECT count(*) FILTER (WHERE phase = 'A') || ' ' || count(*) FILTER (WHERE phase LIKE 'B%')"
                + " || ' ' || count(*) FILTER (WHERE phase = 'C') FROM rows")).isEqualTo("100 200 0");
        assertThat(timeline("arcr")).as("the restored cluster's own timeline").isGreaterThan(sourceTimeline);
        exec("arcr", "INSERT INTO rows VALUES (1000, 'restored')");
        assertThat(one("arcr", "SELECT count(*) FROM rows")).isEqualTo("301");
        JsonNode status = pgfly.ok("backup", "status", CLUSTER, "--json").json();
        assertThat(status.get("archiving_failing").asBoolean()).as(status.toString()).isFalse();
        // every member archives (archive_mode=always): a replica pushing a segment the primary already
        // archived must find the same bytes there, or its archiver would be stuck on it for good
        for (String member : java.util.List.of("m1", "m2")) {
            java.nio.file.Path log = pgfly.home().resolve("clusters/" + CLUSTER + "/members/" + member + "/postgres.log");
            assertThat(java.nio.file.Files.readString(log)).as(member + "'s archiver").doesNotContain("archive command failed");
        }
    }

    /**
     * A member's archiver must not be stuck on a segment the archive already holds with other bytes of
     * the same database system (after a failover: a diverged copy of the old timeline's last segment).
     * The archive gets such a copy of the segment being written, planted under its name; when the
     * segment is switched, PostgreSQL's push must succeed with its copy kept aside, and archiving go on.
     */
    @Test
    void aDivergedCopyAlreadyInTheArchiveDoesNotStopArchiving() throws Exception {
        String cluster = "arcd";
        pgfly.ok("create", cluster, "--config", "dev");
        exec(cluster, "CREATE TABLE t AS SELECT i FROM generate_series(1, 1000) i");
        String segment = one(cluster, "SELECT pg_walfile_name(pg_current_wal_insert_lsn())");
        java.nio.file.Path clusterDir = pgfly.home().resolve("clusters/" + cluster);
        java.nio.file.Path diverged = java.nio.file.Files.createTempFile("diverged-", ".wal");
        try (var store = dev.pgfly.core.util.Json.read(java.nio.file.Files.readAllBytes(clusterDir.resolve("archive/store.json")),
                dev.pgfly.backup.store.StoreSettings.class).open()) {
            byte[] copy = java.nio.file.Files.readAllBytes(clusterDir.resolve("members/m1/data/pg_wal/" + segment));
            copy[copy.length - 1] ^= (byte) 0xFF; // past the switch record: never written by PostgreSQL
            java.nio.file.Files.write(diverged, copy);
            new dev.pgfly.backup.WalArchive(store).push(diverged, segment);
        } finally {
            java.nio.file.Files.deleteIfExists(diverged);
        }

        exec(cluster, "INSERT INTO t SELECT i FROM generate_series(1001, 2000) i");
        archiveNow(cluster);
        String after = one(cluster, "SELECT pg_walfile_name(pg_current_wal_insert_lsn())");
        exec(cluster, "INSERT INTO t VALUES (2001)");
        archiveNow(cluster);

        JsonNode status = pgfly.ok("backup", "status", cluster, "--json").json();
        assertThat(status.get("archiving_failing").asBoolean()).as(status.toString()).isFalse();
        assertThat(status.get("archiver").get("last_archived_wal").asString()).isGreaterThanOrEqualTo(after);
        assertThat(status.get("wal_conflicts_kept_aside").asInt()).as(status.toString()).isEqualTo(1);
        String log = java.nio.file.Files.readString(clusterDir.resolve("members/m1/postgres.log"));
        assertThat(log).contains(segment + " is already archived with different content").contains("kept aside")
                .doesNotContain("archive command failed");
        pgfly.ok("destroy", cluster, "--yes");
    }

    private static void insert(String phase, int from, int to) throws Exception {
        // right after a failover the proxy may still be switching over: retry the whole statement
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).ignoreExceptions().until(() -> {
            exec(CLUSTER, "INSERT INTO rows SELECT i, '" + phase + "' FROM generate_series(" + from + ", " + to + ") i"
                    + " ON CONFLICT DO NOTHING");
            return true;
        });
        assertThat(one(CLUSTER, "SELECT count(*) FROM rows WHERE phase = '" + phase + "'"))
                .isEqualTo(Integer.toString(to - from + 1));
    }

    /** Switches to a new WAL segment on the primary and waits until the finished one is in the archive. */
    private static void archiveNow(String cluster) throws Exception {
        String segment = one(cluster, "SELECT pg_walfile_name(pg_switch_wal())");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode archiver = pgfly.ok("backup", "status", cluster, "--json").json().get("archiver");
            String last = archiver.isNull() ? null : archiver.get("last_archived_wal").asString();
            return last != null && last.compareTo(segment) >= 0;
        });
    }

    private static void awaitBothStreaming() {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            JsonNode s = pgfly.statusFromDaemon(CLUSTER);
            for (JsonNode m : s.get("members")) {
                if (!m.get("name").asString().equals(s.get("leader").asString())) {
                    assertThat(m.get("streaming").asBoolean()).as(m.toString()).isTrue();
                }
            }
        });
    }

    private static int timeline(String cluster) throws Exception {
        return Integer.parseInt(one(cluster, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"), 16);
    }

    private static String leader() {
        return pgfly.status(CLUSTER).get("leader").asString();
    }

    private static JsonNode primaryMember() {
        return pgfly.primaryMember(CLUSTER);
    }

    private static String url(String cluster) {
        return pgfly.ok("url", cluster).out().strip();
    }

    private static String one(String cluster, String sql) throws Exception {
        try (Connection c = Db.connect(url(cluster)); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void exec(String cluster, String sql) throws Exception {
        try (Connection c = Db.connect(url(cluster)); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
