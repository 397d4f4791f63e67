package dev.pgfly.agent.ha;

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
