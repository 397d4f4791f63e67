package dev.pgfly.core.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemberStatusTest {
    private static MemberStatus replica(long lsn, long updatedAt, String state, int timeline, boolean streaming) {
        return new MemberStatus("m2", Role.REPLICA, state, "127.0.1.2", 5432, "http://127.0.1.2:8008", "fra",
                timeline, 0, lsn, lsn, 0, 0.0, true, streaming, "m1", 4, 100, 200, updatedAt);
    }

    @Test
    void newPositionsLagAndHeartbeatAreProgressOnly() {
        MemberStatus before = replica(1_000, 1_700_000_000_000L, "streaming", 3, true);
        MemberStatus after = new MemberStatus("m2", Role.REPLICA, "streaming", "127.0.1.2", 5432, "http://127.0.1.2:8008",
                "fra", 3, 0, 9_000, 8_000, 1_000, 0.7, true, true, "m1", 4, 100, 200, 1_700_000_001_000L);
        assertThat(after.differsOnlyInProgress(before)).isTrue();
        assertThat(before.withoutProgress()).isEqualTo(after.withoutProgress());
    }

    @Test
    void anythingADecisionTurnsOnIsMoreThanProgress() {
        MemberStatus before = replica(1_000, 1, "streaming", 3, true);
        assertThat(replica(1_000, 2, "streaming", 4, true).differsOnlyInProgress(before)).as("timeline").isFalse();
        assertThat(replica(1_000, 2, "streaming", 3, false).differsOnlyInProgress(before)).as("streaming").isFalse();
        assertThat(replica(1_000, 2, "rewinding", 3, true).differsOnlyInProgress(before)).as("state").isFalse();
        assertThat(replica(1_000, 2, "streaming", 3, true).differsOnlyInProgress(null)).as("a new member").isFalse();
    }
}
