package dev.pgfly.core.ha;

import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.model.SyncState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What a cycle derives from its one snapshot, without a store. */
class ClusterSnapshotTest {
    private static MemberStatus status(String name, Role role, int timeline) {
        return new MemberStatus(name, role, MemberState.RUNNING, null, "127.0.1.1", 5432, null, "fra", timeline,
                0, 0, 0, 0, 0.0, false, role == Role.REPLICA, null, 4, 100, 200, 1);
    }

    private static ClusterSnapshot snapshot(LeaderRecord leader, SyncState sync, MemberStatus... members) {
        return new ClusterSnapshot(true, null, leader, List.of(members), sync, null, null, true, 0);
    }

    @Test
    void theLeadersTimelineIsWhatItPublishedAsAPrimary() {
        LeaderRecord m1 = new LeaderRecord("m1", 4, "127.0.1.1", 5432, true, 0);
        assertThat(snapshot(m1, null, status("m1", Role.PRIMARY, 5), status("m2", Role.REPLICA, 4)).leaderTimeline())
                .isEqualTo(5);
        assertThat(snapshot(m1, null, status("m1", Role.REPLICA, 4)).leaderTimeline())
                .as("elected, not promoted yet: its timeline is not the leader's yet").isZero();
        assertThat(snapshot(m1, null, status("m2", Role.REPLICA, 4)).leaderTimeline()).as("never published").isZero();
        assertThat(snapshot(null, null, status("m1", Role.PRIMARY, 5)).leaderTimeline()).as("nobody leads").isZero();
    }

    @Test
    void theSyncSetIsEmptyWhenNoneWasRecorded() {
        assertThat(snapshot(null, null).syncSet()).isEmpty();
        assertThat(snapshot(null, new SyncState("m1", 4, Set.of("m2"))).syncSet()).containsExactly("m2");
        assertThat(ClusterSnapshot.disconnected().connected()).isFalse();
    }
}
