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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    @Test
    void renewalsAlternateBetweenTwoSlotsAndAShorterDeadlineLeavesNoTail() throws Exception {
        lease.write(123_456_789);
        Object first = Files.readAttributes(lease.file(), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        lease.write(5);
        assertThat(Files.readString(lease.file())).isEqualTo("5\n");
        assertThat(Files.readAttributes(lease.file(), java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .as("the other slot").isNotEqualTo(first);
        lease.write(0);
        assertThat(Files.readString(lease.file())).isEqualTo("0\n");
        assertThat(Files.readAttributes(lease.file(), java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .as("back to the first slot").isEqualTo(first);
        try (var names = Files.list(memberDir)) {
            assertThat(names.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    ".lease.a", ".lease.b", ".lease.uptime.a", ".lease.uptime.b", "lease", "lease.uptime");
        }
    }

    /**
     * The full-disk fault of the host chaos campaign: the member directory's volume filled to the last byte
     * by another writer. The lease must still be renewed, or the watchdog fences a primary that leads.
     * Needs root (mount).
     */
    @Test
    void aLeaseIsRenewedOnAFullVolume() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount");
        Path volume = Files.createDirectory(memberDir.resolve("m1"));
        assertThat(Command.run(List.of("mount", "-t", "tmpfs", "-o", "size=1m", "pgfly-lease-test", volume.toString()),
                Map.of(), Duration.ofSeconds(30)).ok()).as("mount a tmpfs").isTrue();
        try {
            WatchdogLease onVolume = new WatchdogLease(new MemberDirectory(volume));
            onVolume.write(MonotonicClock.millis() + 2_000);
            onVolume.write(MonotonicClock.millis() + 2_000);
            Command.run(List.of("dd", "if=/dev/zero", "of=" + volume.resolve("filler"), "bs=4k"), Map.of(), Duration.ofSeconds(30));
            assertThat(Files.getFileStore(volume).getUsableSpace()).as("the volume is full").isZero();
            for (int i = 0; i < 5; i++) {
                long deadline = MonotonicClock.millis() + 2_000 + i;
                onVolume.write(deadline);
                assertThat(Long.parseLong(Files.readString(onVolume.file()).strip())).isEqualTo(deadline);
            }
            onVolume.write(0);
            assertThat(Files.readString(onVolume.file())).isEqualTo("0\n");
            assertThat(Files.readString(onVolume.legacyFile())).isEqualTo("0\n");
        } finally {
            Command.run(List.of("umount", volume.toString()), Map.of(), Duration.ofSeconds(30));
        }
    }
}
