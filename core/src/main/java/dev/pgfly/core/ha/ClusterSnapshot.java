package dev.pgfly.core.ha;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.PauseState;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.core.model.SyncState;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster as one HA cycle sees it, read from the store once at the top of the cycle (the way Patroni
 * builds one {@code Cluster} object per loop) and never changed: every part of the cycle decides on the same
 * view. Writes go to the store directly; a cycle that must see its own write reads a new snapshot.
 *
 * @param connected      the coordination session was connected when the snapshot was read
 * @param spec           the cluster's configuration, null when absent (or not connected)
 * @param leader         the leader node, null when nobody leads
 * @param members        the statuses the agents published, by name
 * @param sync           the recorded synchronous set, null when none was recorded
 * @param switchover     the requested switchover, null when none
 * @param lastLeader     the member that acquired leadership last (it persists after its node is gone), or null
 * @param initialized    some member has claimed the cluster's initialization (initdb)
 * @param wakeRequestedAt the latest wake request; 0 when none, or when the cluster does not scale to zero
 * @param pause          the cluster's pause as stored (it may have expired: see {@link #pausedAt}), or null
 */
public record ClusterSnapshot(boolean connected, ClusterSpec spec, LeaderRecord leader, List<MemberStatus> members,
                              SyncState sync, SwitchoverRequest switchover, String lastLeader, boolean initialized,
                              long wakeRequestedAt, PauseState pause) {

    public ClusterSnapshot {
        members = List.copyOf(members);
    }

    /** A snapshot of a cluster that is not paused. */
    public ClusterSnapshot(boolean connected, ClusterSpec spec, LeaderRecord leader, List<MemberStatus> members,
                           SyncState sync, SwitchoverRequest switchover, String lastLeader, boolean initialized,
                           long wakeRequestedAt) {
        this(connected, spec, leader, members, sync, switchover, lastLeader, initialized, wakeRequestedAt, null);
    }

    /** The pause in force at {@code now}, or null: none, or expired (expiry resumes the cluster). */
    public PauseState pausedAt(long now) {
        return PauseState.activeOrNull(pause, now);
    }

    /** What a cycle sees while the session is not connected: nothing. */
    public static ClusterSnapshot disconnected() {
        return new ClusterSnapshot(false, null, null, List.of(), null, null, null, false, 0);
    }

    /**
     * Reads the store. The leader node is read before the synchronous set: ZooKeeper orders one client's
     * reads, so a snapshot that finds the leader node gone also finds the last set its primary recorded while
     * it led, which an election must compare (S2).
     */
    public static ClusterSnapshot read(ClusterStore store) {
        if (!store.isConnected()) {
            return disconnected();
        }
        ClusterSpec spec = store.config().orElse(null);
        if (spec == null) {
            return new ClusterSnapshot(true, null, null, List.of(), null, null, null, false, 0);
        }
        LeaderRecord leader = store.leader().orElse(null);
        return new ClusterSnapshot(true, spec, leader, store.members(), store.syncState().orElse(null),
                store.switchover().orElse(null), store.lastLeader().orElse(null), store.initialized(),
                spec.scalesToZero() ? store.wakeRequestedAt() : 0, store.pause().orElse(null));
    }

    public Optional<MemberStatus> member(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The leader's timeline as it last published it as a primary; 0 when nobody leads or it has not. */
    public int leaderTimeline() {
        return leader == null ? 0 : member(leader.member()).filter(m -> m.role() == Role.PRIMARY)
                .map(MemberStatus::timeline).orElse(0);
    }

    /** The recorded synchronous set; empty when none was recorded. */
    public Set<String> syncSet() {
        return sync == null ? Set.of() : sync.standbys();
    }

    /** The switchover request, when there is one. */
    public Optional<SwitchoverRequest> switchoverRequest() {
        return Optional.ofNullable(switchover);
    }
}
