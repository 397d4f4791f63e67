package dev.pgfly.agent.ha;

/**
 * When a scale-to-zero member stops PostgreSQL, and when it starts it again. Pure bookkeeping over
 * times and counts, so that the HA loop only asks and acts.
 *
 * <p>Idle means no client session for the whole timeout: any session seen restarts the clock. A wake
 * is a change of the store's wake request after the member went idle; comparing the value seen at that
 * moment, rather than clocks, keeps a proxy on another host with a skewed clock working.
 */
final class ScaleToZero {
    private long lastClientSeenAt;
    private boolean idle;
    private long wakeRequestSeenAtIdle;

    /** Called on every cycle while PostgreSQL serves; true when the member should stop now. */
    boolean shouldStop(long now, int clientSessions, long idleTimeoutMillis) {
        if (idle || idleTimeoutMillis <= 0) {
            return false;
        }
        if (clientSessions > 0 || lastClientSeenAt == 0) {
            lastClientSeenAt = now;
            return false;
        }
        return now - lastClientSeenAt >= idleTimeoutMillis;
    }

    void stopped(long wakeRequestNow) {
        idle = true;
        wakeRequestSeenAtIdle = wakeRequestNow;
    }

    boolean isIdle() {
        return idle;
    }

    /** Whether an idle member must start: a new wake request, or scale to zero no longer applies. */
    boolean shouldWake(long wakeRequestNow, boolean stillScalesToZero) {
        return idle && (wakeRequestNow != wakeRequestSeenAtIdle || !stillScalesToZero);
    }

    /** PostgreSQL serves again: the idle clock starts over. */
    void serving(long now) {
        idle = false;
        lastClientSeenAt = now;
    }

    long idleForMillis(long now) {
        return lastClientSeenAt == 0 ? 0 : now - lastClientSeenAt;
    }
}
