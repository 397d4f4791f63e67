package dev.pgfly.core.model;

/** Timeline rules the agent and the daemon must agree on. Pure functions over published state. */
public final class Timelines {
    private Timelines() {
    }

    /**
     * Whether a streaming replica streams what counts: the leader's timeline, when that is known
     * ({@code leaderTimeline} 0: not known). Otherwise it is not streaming: the agent's rewind grace
     * runs, and the daemon calls the cluster degraded. A replica that replayed past the point where the
     * leader's timeline forked off cannot follow it, and PostgreSQL does not say so in
     * pg_stat_wal_receiver: its WAL receiver connects, streams the old timeline up to the fork, is told
     * the timeline ended, and connects again a second later, "streaming" most of the time. A chaos run
     * saw a replica sit like that for six minutes, its grace reset by every probe that caught it
     * streaming, until the cluster stopped healing. Right after a promotion a replica does stream the
     * old timeline for a moment: that is what the agent's grace is for.
     */
    public static boolean onLeaderTimeline(int replicaTimeline, int leaderTimeline) {
        return leaderTimeline <= 0 || replicaTimeline >= leaderTimeline;
    }
}
