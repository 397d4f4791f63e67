package dev.pgfly.postgres;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lease is written twice: on the monotonic clock for the watchdog this version starts, and on the
 * wall clock for a watchdog an older pgfly started (its PostgreSQL keeps running across an upgrade of
 * pgfly, and would be fenced if that watchdog read an uptime deadline as an epoch one).
 */
class WatchdogLeaseTest {
    private Path memberDir;
    private WatchdogLease lease;

    @BeforeEach
    void setUp() throws Exception {
        memberDir = Files.createTempDirectory("pgfly-lease");
        lease = new WatchdogLease(new MemberDirectory(memberDir));
    }

    @AfterEach
    void tearDown() throws Exception {
        dev.pgfly.core.util.FileTrees.delete(memberDir);
    }

    @Test
    void aDeadlineIsWrittenOnBothClocks() throws Exception {
        long monotonic = MonotonicClock.millis();
        long wall = System.currentTimeMillis();
        lease.write(monotonic + 2_000);
        long uptimeDeadline = Long.parseLong(Files.readString(lease.file()).strip());
        long wallDeadline = Long.parseLong(Files.readString(lease.legacyFile()).strip());
        assertThat(uptimeDeadline).isEqualTo(monotonic + 2_000);
        assertThat(wallDeadline).isBetween(wall + 1_500, System.currentTimeMillis() + 2_500);
    }

    @Test
    void noLeaseIsZeroOnBoth() throws Exception {
        lease.write(0);
        assertThat(Files.readString(lease.file()).strip()).isEqualTo("0");
        assertThat(Files.readString(lease.legacyFile()).strip()).isEqualTo("0");
    }
}
