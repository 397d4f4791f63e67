package dev.pgfly.postgres;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A postmaster killed with -9 while its archiver runs an archive command: the archiver lives on until the
 * command returns, attached to the old shared memory, and PostgreSQL refuses to start beside it. A chaos
 * run's round 53 (kill PostgreSQL of a replica) hit this: three refused starts made the agent re-clone,
 * the archiver then wrote into the copy being set aside, and the member never streamed again. A start
 * now waits for the old instance's last processes.
 */
class PgInstanceRestartTest {
    private static final String PASSWORD = "restart-test";

    private ScratchInstance scratch;
    private PgInstance pg;

    @BeforeEach
    void setUp() throws Exception {
        // Long enough to kill the postmaster while it runs; succeeds, as a `wal push` would.
        scratch = new ScratchInstance("restart", PASSWORD, instance -> Map.of("archive_mode", "on",
                "archive_command", "touch '" + instance.dataDir().resolve("archiving") + "' && sleep 6"));
        pg = scratch.pg;
    }

    @AfterEach
    void tearDown() throws Exception {
        scratch.close();
    }

    @Test
    void aKilledPostmastersArchiverDoesNotKeepPostgresDown() throws Exception {
        long postmaster = pg.start(Duration.ofSeconds(60));
        Properties props = new Properties();
        props.setProperty("user", PgConfig.SUPERUSER);
        props.setProperty("password", PASSWORD);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", props);
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t AS SELECT generate_series(1, 1000) AS id");
            st.execute("SELECT pg_switch_wal()");
        }
        awaitArchiveCommandRunning();

        ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();
        ProcessHandle.of(postmaster).ifPresent(p -> p.onExit().join());
        assertThat(pg.postmaster().awaitOldProcessesGone(Duration.ZERO)).as("the archiver outlives its postmaster").isFalse();

        long restarted = pg.start(Duration.ofSeconds(60));

        assertThat(restarted).isNotEqualTo(postmaster);
        assertThat(pg.isRunning()).isTrue();
    }

    /**
     * A clone is a standby from the moment pg_basebackup completes, and recognisably an unstarted clone
     * until its first start: an agent that dies (or a re-clone that fails) between the copy and the start
     * must not take it for a former primary and rewind it. pg_rewind would run crash recovery on it, which
     * ends recovery on the clone's own, writing WAL the primary never had on the same timeline.
     */
    @Test
    void aCloneIsAStandbyAndNeverAFormerPrimary() throws Exception {
        pg.start(Duration.ofSeconds(60));
        pg.files().writePassFile("replication-secret", PASSWORD);
        Properties props = new Properties();
        props.setProperty("user", PgConfig.SUPERUSER);
        props.setProperty("password", PASSWORD);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", props);
             Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + PgConfig.REPLICATION_ROLE + " LOGIN REPLICATION PASSWORD 'replication-secret'");
        }
        Path cloneDir = Files.createTempDirectory(Path.of("/tmp"), "pgfly-clone-");
        try {
            PgInstance clone = new PgInstance(PgBinaries.locate(null), OsUser.forPostgres(), cloneDir, "127.0.0.1", pg.port() + 1);
            clone.files().writePassFile("replication-secret", PASSWORD);
            Command.Result copied = clone.data().basebackup("127.0.0.1", pg.port(), null, Duration.ofMinutes(5));

            assertThat(copied.ok()).as(copied.output()).isTrue();
            assertThat(clone.data().isStandbyConfigured()).as("standby.signal written with the copy").isTrue();
            assertThat(clone.data().isUnstartedClone()).isTrue();
            assertThat(pg.data().isUnstartedClone()).as("a primary that served the copy").isFalse();
        } finally {
            Command.run(List.of("rm", "-rf", cloneDir.toString()), Map.of(), Duration.ofMinutes(1));
        }
    }

    @Test
    void readsTheSegmentFromPostmasterPidAndItsAttachCount() {
        List<String> pidFile = List.of("4242", "/data", "1700000000", "5432", "", "127.0.0.1",
                "  2146320    720937", "ready   ");
        assertThat(Postmaster.sharedMemoryId(pidFile)).isEqualTo(OptionalLong.of(720937));
        assertThat(Postmaster.sharedMemoryId(pidFile.subList(0, 6))).isEmpty();

        String shm = """
                       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap
                   2146320     720937   600                    56 12057 12099      2   104   104   104   104 1795996561 1795996563 1795996561                  4096                     0
                         0     720938   600                    56 12057 12099      0   104   104   104   104 1795996561 1795996563 1795996561                  4096                     0
                """;
        assertThat(Postmaster.attachedProcesses(shm, 720937)).isEqualTo(2);
        assertThat(Postmaster.attachedProcesses(shm, 720938)).isZero();
        assertThat(Postmaster.attachedProcesses(shm, 1)).as("gone").isZero();
    }

    /** The archive command marks its start in the data directory (PostgreSQL's user may write there). */
    private void awaitArchiveCommandRunning() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(pg.dataDir().resolve("archiving"))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the archive command did not start");
    }
}
