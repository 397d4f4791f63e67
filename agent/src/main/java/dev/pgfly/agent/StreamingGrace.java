package dev.pgfly.agent;

import java.time.Duration;

/**
 * How long a running replica may go without streaming from its leader before the agent concludes
 * that its history diverged and rewinds it. The clock starts at the first cycle that finds it not
 * streaming after a (re)start or a change of upstream: a replica that just started, or that was a
 * primary a moment ago, has the whole grace to connect, and is not rewound for time it spent in
 * another role.
 */
final class StreamingGrace {
    private final long graceMillis;
    private long notStreamingSince;

    StreamingGrace(Duration grace) {
        this.graceMillis = grace.toMillis();
    }

    /**
     * Whether a streaming replica streams what counts: the leader's timeline, when that is known
     * ({@code leaderTimeline} 0: not known). Otherwise it is not streaming, for the grace. A replica that
     * replayed past the point where the leader's timeline forked off cannot follow it, and PostgreSQL
     * does not say so in pg_stat_wal_receiver: its WAL receiver connects, streams the old timeline up to
     * the fork, is told the timeline ended, and connects again a second later, "streaming" most of the
     * time. A chaos run saw a replica sit like that for six minutes, its grace reset by every probe that
     * caught it streaming, until the cluster stopped healing. Right after a promotion a replica does
     * stream the old timeline for a moment: that is what the grace is for.
     */
    static boolean onLeaderTimeline(int receivedTimeline, int leaderTimeline) {
        return leaderTimeline <= 0 || receivedTimeline >= leaderTimeline;
    }

    /** PostgreSQL (re)started, was promoted, or follows a new upstream: the grace starts over. */
    void reset() {
        notStreamingSince = 0;
    }

    /** Whether a replica found not streaming at {@code now} has used up its grace (and if so, starts over). */
    boolean usedUp(long now) {
        if (notStreamingSince == 0) {
            notStreamingSince = now;
            return false;
        }
        if (now - notStreamingSince > graceMillis) {
            notStreamingSince = 0;
            return true;
        }
        return false;
    }
}
