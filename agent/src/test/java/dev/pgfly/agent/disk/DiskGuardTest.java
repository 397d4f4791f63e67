package dev.pgfly.agent.disk;

import dev.pgfly.agent.disk.DiskGuard.State;
import dev.pgfly.agent.disk.DiskGuard.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DiskGuardTest {
    private static final long MIB = 1L << 20;

    private static DiskUsage used(long usedMib) {
        return new DiskUsage(100 * MIB, usedMib * MIB, 10 * MIB, 0);
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
        Verdict v = DiskGuard.decide(State.OPEN, new DiskUsage(100 * MIB, 95 * MIB, 60 * MIB, 48 * MIB));
        assertThat(v.reason()).contains("cause: WAL archiving is failing: 48 MiB of WAL in pg_wal wait for the archive");
    }

    @Test
    void namesRetainedWalAsTheCause() {
        Verdict v = DiskGuard.decide(State.OPEN, new DiskUsage(100 * MIB, 95 * MIB, 60 * MIB, 0));
        assertThat(v.reason()).contains("cause: pg_wal holds 60 MiB (retained for replication slots or wal_keep_size)");
    }

    @Test
    void otherwiseNamesTheDatabase() {
        Verdict v = DiskGuard.decide(State.OPEN, new DiskUsage(100 * MIB, 95 * MIB, 16 * MIB, 0));
        assertThat(v.reason()).contains("cause: the database holds 79 MiB (pg_wal 16 MiB)");
    }
}
