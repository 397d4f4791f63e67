package dev.pgfly.core.ha;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.PauseState;

/**
 * What one HA cycle does, decided from one snapshot of the cluster and what the agent sees locally: a
 * pure function, tested like {@link FailoverPolicy}. The agent's loop reads the store once at the top of
 * a cycle (the way Patroni builds one {@code Cluster} object per loop), asks this, and runs the handler
 * it names. The order of the questions is the order of precedence: a member without data bootstraps
 * whatever the leader says; a data directory marked for a re-clone is never started nor offered in an
 * election (S4); an interrupted bootstrap is finished only by the member that began it.
 */
public final class CycleDecision {
    /** The handler a cycle runs. */
    public enum Action {
        /** The coordination session is not connected: change nothing (a leader was fenced on SUSPENDED: S1). */
        WAIT_FOR_STORE,
        /** The cluster's spec is not in the store yet. */
        WAIT_FOR_CONFIG,
        /** This member is not in the spec any more: stop PostgreSQL and the lease. */
        LEAVE,
        /** No data directory yet: initialize the cluster (first member) or clone from the primary. */
        BOOTSTRAP,
        /** The data directory is marked unusable by a failed pg_rewind: wait for a primary and re-clone (S4). */
        RECLONE_MARKED,
        /** Nobody leads and the bootstrap this member began left pgfly's roles pending: finish it. */
        RESUME_BOOTSTRAP,
        /** This member holds the leader node: be the primary. */
        LEAD,
        /** Another member leads: be its streaming replica, rejoining first if this was a primary (S4). */
        FOLLOW,
        /** Nobody leads: run the election (S2). */
        ELECT,
        /**
         * The cluster is paused and this member leads: keep proving leadership (S1 outranks a pause), and
         * change nothing else: no promotion, no start of a stopped PostgreSQL, no handover.
         */
        LEAD_PAUSED,
        /**
         * The cluster is paused: observe and publish, change nothing (no election, demotion, rewind, re-clone;
         * PostgreSQL left as it is).
         */
        OBSERVE_PAUSED
    }

    /**
     * One cycle's view. {@code spec} and {@code leader} may be null (absent from the store); the booleans
     * are local observations of the member's data directory.
     */
    public record Input(boolean storeConnected, ClusterSpec spec, String member, LeaderRecord leader,
                        boolean hasData, boolean recloneNeeded, boolean rolesPending, PauseState pause) {

        /** A cycle of a cluster that is not paused. */
        public Input(boolean storeConnected, ClusterSpec spec, String member, LeaderRecord leader,
                     boolean hasData, boolean recloneNeeded, boolean rolesPending) {
            this(storeConnected, spec, member, leader, hasData, recloneNeeded, rolesPending, null);
        }
    }

    public record Result(Action action, String reason) {
    }

    private CycleDecision() {
    }

    public static Result decide(Input in) {
        if (!in.storeConnected()) {
            return new Result(Action.WAIT_FOR_STORE, "the coordination session is not connected");
        }
        if (in.spec() == null) {
            return new Result(Action.WAIT_FOR_CONFIG, "the cluster configuration is not in the store yet");
        }
        if (in.spec().member(in.member()).isEmpty()) {
            return new Result(Action.LEAVE, in.member() + " is not in the cluster's configuration");
        }
        LeaderRecord leader = in.leader();
        if (in.pause() != null) {
            return paused(in, leader);
        }
        if (!in.hasData()) {
            return new Result(Action.BOOTSTRAP, "no data directory yet");
        }
        if (in.recloneNeeded()) {
            return new Result(Action.RECLONE_MARKED, "a failed pg_rewind left the data directory unusable");
        }
        if (leader == null && in.rolesPending()) {
            return new Result(Action.RESUME_BOOTSTRAP, "the bootstrap this member began left pgfly's roles pending");
        }
        if (leader == null) {
            return new Result(Action.ELECT, "nobody leads");
        }
        if (leader.member().equals(in.member())) {
            return new Result(Action.LEAD, "this member leads term " + leader.term());
        }
        return new Result(Action.FOLLOW, leader.member() + " leads term " + leader.term());
    }

    /**
     * A paused cluster (the caller passes only a pause in force: an expired one is null). Checked before
     * everything but the store and the configuration, so that a member marked for a re-clone, a leaderless
     * cluster or a member without data all wait. The one leader keeps its lease: without it, S1 would stop
     * its writes anyway, and a pause must not cost the primary.
     */
    private static Result paused(Input in, LeaderRecord leader) {
        String until = in.pause().untilText();
        if (leader != null && leader.member().equals(in.member())) {
            return new Result(Action.LEAD_PAUSED, "paused " + until + "; this member leads term " + leader.term());
        }
        if (leader == null) {
            return new Result(Action.OBSERVE_PAUSED, "paused " + until + "; nobody leads, and nobody is promoted");
        }
        return new Result(Action.OBSERVE_PAUSED, "paused " + until + "; " + leader.member() + " leads term " + leader.term());
    }

    /**
     * The leader node names this member but its session does not own it: a previous agent of this member
     * left it (its session not expired yet). The agent makes sure PostgreSQL cannot write, then removes it.
     */
    public static boolean isStaleLeaderNode(LeaderRecord leader, String member, boolean heldBySession) {
        return leader != null && leader.member().equals(member) && !heldBySession;
    }
}
