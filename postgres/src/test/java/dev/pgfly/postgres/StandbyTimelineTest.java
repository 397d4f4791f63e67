package dev.pgfly.postgres;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The timeline a standby reports when its WAL receiver is not running: the moment an election reads it (the
 * primary just died). A real standby: in recovery, no primary to stream from, its last checkpoint on timeline 1,
 * and the history of timeline 2 in pg_wal (as a standby that followed a promotion has it, before its next
 * restartpoint). It holds timeline 2's history, so it must say 2: the failover policy orders candidates by
 * timeline first (S2), and a stale 1 once lost two acknowledged writes in MultiHostIT.
 */
class StandbyTimelineTest {
    private static final String PASSWORD = "timeline-test";

    private ScratchInstance scratch;
    private PgInstance pg;

    @BeforeEach
    void setUp() throws Exception {
        scratch = new ScratchInstance("timeline", PASSWORD, instance -> Map.of());
        pg = scratch.pg;
    }

    @AfterEach
    void tearDown() throws Exception {
        scratch.close();
    }

    @Test
    void aStandbyWithoutItsReceiverReportsTheNewestTimelineItHoldsNotItsLastCheckpoints() throws Exception {
        pg.start(Duration.ofSeconds(60));
        pg.stop(ShutdownMode.FAST, Duration.ofSeconds(60));
        // Timeline 2 forks from 1 past everything this member has: its WAL is a prefix of timeline 2's history.
        Path history = pg.dataDir().resolve("pg_wal/00000002.history");
        Files.writeString(history, "1\t0/FF000000\tpromoted elsewhere\n");
        assertThat(Command.run(List.of("chown", "postgres:postgres", history.toString()), Map.of(), Duration.ofSeconds(10)).ok()).isTrue();
        pg.data().setStandby(true);
        pg.start(Duration.ofSeconds(60));
        try (PgSql sql = new PgSql("127.0.0.1", pg.port(), PgConfig.SUPERUSER, PASSWORD)) {
            PgProbe probe = sql.probe();
            assertThat(probe.inRecovery()).isTrue();
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", PgConfig.SUPERUSER);
            props.setProperty("password", PASSWORD);
            try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", props);
                 var st = c.createStatement();
                 var rs = st.executeQuery("SELECT timeline_id FROM pg_control_checkpoint()")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the last checkpoint's, which the probe used to fall back on").isEqualTo(1);
            }
            assertThat(probe.timeline()).isEqualTo(2);
        }
    }
}
