package dev.pgfly.agent.disk;

import dev.pgfly.agent.disk.DiskGuard.State;
import dev.pgfly.agent.disk.DiskGuard.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DiskGuardTest {
    private static final long MIB = 1L << 20;

    /** A 1000 MiB volume: 10 % is more than the reserve, so the thresholds are 90 % and 85 %. */
    private static DiskUsage used(long percent) {
        return new DiskUsage(1000 * MIB, percent * 10 * MIB, 100 * MIB, 0);
    }

    @Test
    void refusesWritesFromNinetyPercent() {
        assertThat(DiskGuard.decide(State.OPEN, used(89)).state()).isEqualTo(State.OPEN);
        Verdict full = DiskGuard.decide(State.OPEN, used(90));
        assertThat(full.state()).isEqualTo(State.REFUSING_WRITES);
        assertThat(full.changed()).isTrue();
        assertThat(full.reason()).contains("90% full").contains("user writes refused until it is below 85%");
    }

    @Test
    void liftsTheRefusalOnlyBelowEightyFivePercent() {
        for (long mib : new long[] {99, 90, 87, 85}) {
            Verdict v = DiskGuard.decide(State.REFUSING_WRITES, used(mib));
            assertThat(v.state()).as("%d%%", mib).isEqualTo(State.REFUSING_WRITES);
            assertThat(v.changed()).isFalse();
        }
        Verdict lifted = DiskGuard.decide(State.REFUSING_WRITES, used(84));
        assertThat(lifted.state()).isEqualTo(State.OPEN);
        assertThat(lifted.changed()).isTrue();
        assertThat(lifted.reason()).contains("accepted again");
    }

    @Test
    void betweenTheThresholdsTheStateStaysWhatItWas() {
        assertThat(DiskGuard.decide(State.OPEN, used(88)).state()).isEqualTo(State.OPEN);
        assertThat(DiskGuard.decide(State.REFUSING_WRITES, used(88)).state()).isEqualTo(State.REFUSING_WRITES);
    }

    @Test
    void anUnknownVolumeChangesNothing() {
        assertThat(DiskGuard.decide(State.REFUSING_WRITES, DiskUsage.UNKNOWN))
                .isEqualTo(new Verdict(State.REFUSING_WRITES, false, "data volume usage unknown"));
        assertThat(DiskGuard.decide(State.OPEN, DiskUsage.UNKNOWN).state()).isEqualTo(State.OPEN);
    }

    @Test
    void namesAFailingArchiveAsTheCause() {
        Verdict v = DiskGuard.decide(State.OPEN, new DiskUsage(1000 * MIB, 950 * MIB, 600 * MIB, 480 * MIB));
        assertThat(v.reason()).contains("cause: WAL archiving is behind (archive_command failing or slow): 480 MiB of WAL in pg_wal wait for the archive");
    }

    @Test
    void namesRetainedWalAsTheCause() {
        Verdict v = DiskGuard.decide(State.OPEN, new DiskUsage(1000 * MIB, 950 * MIB, 600 * MIB, 0));
        assertThat(v.reason()).contains("cause: pg_wal holds 600 MiB (retained for replication slots or wal_keep_size)");
    }

    @Test
    void otherwiseNamesTheDatabase() {
        Verdict v = DiskGuard.decide(State.OPEN, new DiskUsage(1000 * MIB, 950 * MIB, 160 * MIB, 0));
        assertThat(v.reason()).contains("cause: the database holds 790 MiB (pg_wal 160 MiB)");
    }

    /** A checkpoint's new 16 MB segment must always fit: a small volume keeps three segments' worth free. */
    @Test
    void aSmallVolumeKeepsThreeWalSegmentsFree() {
        long total = 256 * MIB; // refused from 208 MiB used (81 %), lifted below 76 %
        assertThat(DiskGuard.decide(State.OPEN, new DiskUsage(total, 207 * MIB, 32 * MIB, 0)).state()).isEqualTo(State.OPEN);
        Verdict full = DiskGuard.decide(State.OPEN, new DiskUsage(total, 208 * MIB, 32 * MIB, 0));
        assertThat(full.state()).isEqualTo(State.REFUSING_WRITES);
        assertThat(full.reason()).contains("81% full").contains("until it is below 76%");
        assertThat(DiskGuard.decide(State.REFUSING_WRITES, new DiskUsage(total, 196 * MIB, 32 * MIB, 0)).state())
                .isEqualTo(State.REFUSING_WRITES);
        assertThat(DiskGuard.decide(State.REFUSING_WRITES, new DiskUsage(total, 194 * MIB, 32 * MIB, 0)).state())
                .isEqualTo(State.OPEN);
        assertThat(DiskGuard.refuseAt(480 * MIB)).isEqualTo(0.90);
        assertThat(DiskGuard.refuseAt(100L << 30)).isEqualTo(0.90);
    }
}
