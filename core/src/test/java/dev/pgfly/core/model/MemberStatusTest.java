package dev.pgfly.core.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemberStatusTest {
    private static MemberStatus replica(long lsn, long updatedAt, MemberState state, int timeline, boolean streaming) {
        return new MemberStatus("m2", Role.REPLICA, state, null, "127.0.1.2", 5432, "http://127.0.1.2:8008", "fra",
                timeline, 0, lsn, lsn, 0, 0.0, true, streaming, "m1", 4, 100, 200, updatedAt);
    }

    private static MemberStatus withLag(MemberState state, boolean streaming, long lag, String host) {
        return new MemberStatus("m2", Role.REPLICA, state, null, host, 5432, null, "fra", 3, 0, 0, 0, lag, 0.0,
                false, streaming, "m1", 4, 100, 200, 1);
    }

    @Test
    void newPositionsLagAndHeartbeatAreProgressOnly() {
        MemberStatus before = replica(1_000, 1_700_000_000_000L, MemberState.RUNNING, 3, true);
        MemberStatus after = new MemberStatus("m2", Role.REPLICA, MemberState.RUNNING, null, "127.0.1.2", 5432,
                "http://127.0.1.2:8008", "fra", 3, 0, 9_000, 8_000, 1_000, 0.7, true, true, "m1", 4, 100, 200,
                1_700_000_001_000L);
        assertThat(after.differsOnlyInProgress(before)).isTrue();
        assertThat(before.withoutProgress()).isEqualTo(after.withoutProgress());
    }

    @Test
    void anythingADecisionTurnsOnIsMoreThanProgress() {
        MemberStatus before = replica(1_000, 1, MemberState.RUNNING, 3, true);
        assertThat(replica(1_000, 2, MemberState.RUNNING, 4, true).differsOnlyInProgress(before)).as("timeline").isFalse();
        assertThat(replica(1_000, 2, MemberState.RUNNING, 3, false).differsOnlyInProgress(before)).as("streaming").isFalse();
        assertThat(replica(1_000, 2, MemberState.REWINDING, 3, true).differsOnlyInProgress(before)).as("state").isFalse();
        assertThat(replica(1_000, 2, MemberState.RUNNING, 3, true).differsOnlyInProgress(null)).as("a new member").isFalse();
    }

    @Test
    void aHealthyReplicaIsARunningStreamingReplicaWithinTheLagLimit() {
        assertThat(withLag(MemberState.RUNNING, true, 100, "127.0.1.2").isHealthyReplica(1_000)).isTrue();
        assertThat(withLag(MemberState.RUNNING, true, 1_001, "127.0.1.2").isHealthyReplica(1_000)).as("lags").isFalse();
        assertThat(withLag(MemberState.RUNNING, false, 0, "127.0.1.2").isHealthyReplica(1_000)).as("not streaming").isFalse();
        assertThat(withLag(MemberState.CATCHING_UP, true, 0, "127.0.1.2").isHealthyReplica(1_000))
                .as("streams an old timeline: its agent says catching up").isFalse();
        assertThat(withLag(MemberState.RUNNING, true, 0, null).isHealthyReplica(1_000)).as("no address").isFalse();
        MemberStatus primary = new MemberStatus("m1", Role.PRIMARY, MemberState.RUNNING, null, "127.0.1.1", 5432, null,
                "fra", 3, 0, 0, 0, 0, 0.0, false, false, null, 4, 100, 200, 1);
        assertThat(primary.isHealthyReplica(1_000)).as("a primary").isFalse();
    }

    private static MemberStatus onTimeline(int timeline, MemberState state, long lag) {
        return new MemberStatus("m2", Role.REPLICA, state, null, "127.0.1.2", 5432, null, "fra", timeline, 0, 0, 0, lag,
                0.0, false, true, "m1", 4, 100, 200, 1);
    }

    /**
     * The timeline is part of the one rule: a replica that streams an older timeline than the leader's holds
     * a history the cluster left, even if a state said otherwise; 0 means the leader's timeline is not known.
     */
    @Test
    void aReplicaOnAnOlderTimelineThanTheLeadersIsNotHealthy() {
        assertThat(onTimeline(3, MemberState.RUNNING, 0).isHealthyReplica(1_000, 3)).isTrue();
        assertThat(onTimeline(3, MemberState.RUNNING, 0).isHealthyReplica(1_000, 4)).isFalse();
        assertThat(onTimeline(3, MemberState.RUNNING, 0).replicaProblem(1_000, 4))
                .hasValue("streams timeline 3, older than the leader's 4");
        assertThat(onTimeline(3, MemberState.RUNNING, 0).isHealthyReplica(1_000, 0)).as("leader's timeline unknown").isTrue();
        assertThat(onTimeline(3, MemberState.RUNNING, 0).isHealthyReplica(1_000)).as("the proxy's call").isTrue();
    }

    @Test
    void eachProblemSaysWhy() {
        assertThat(onTimeline(3, MemberState.CATCHING_UP, 0).replicaProblem(1_000, 3)).hasValue("is not settled (catching up)");
        assertThat(onTimeline(3, MemberState.RUNNING, 2_000).replicaProblem(1_000, 3))
                .hasValue("lags by 2000 bytes, more than 1000");
        assertThat(withLag(MemberState.RUNNING, false, 0, "127.0.1.2").replicaProblem(1_000, 3)).hasValue("does not stream");
    }
}
