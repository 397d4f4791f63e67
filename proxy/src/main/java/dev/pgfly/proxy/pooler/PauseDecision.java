package dev.pgfly.proxy.pooler;

import java.time.Duration;

/**
 * When a pooler PAUSEs (lets the transactions in flight finish, then holds clients' next ones without
 * an error) and when it RESUMEs, around a planned switchover. Pure: the controller feeds it what the
 * store says and what PgBouncer answered.
 *
 * <p>The node that runs a switchover asks the poolers to pause ({@code pooler-pause} in the store) and
 * waits (bounded) until each says it paused before it lets the primary stop; it clears the request once
 * the new primary leads, or the switchover was refused. A pooler resumes when the request it paused
 * for is gone, or after {@link #MAX_PAUSE} whatever happens, so that no lost node or stuck switchover
 * can hold clients forever.
 */
public final class PauseDecision {
    /** Longer than a switchover takes (seconds), short enough that clients' own timeouts rarely fire first. */
    public static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private PauseDecision() {
    }

    /** What the pooler does now. */
    public enum Action { NONE, PAUSE, RESUME }

    /**
     * Where the pooler stands.
     *
     * @param pausedFor  the pause request (its time) the pooler holds clients for, 0 when running
     * @param pausedAt   when it paused (epoch ms), 0 when running
     * @param timedOut   the last request it resumed from on the time limit: not paused for again
     */
    public record State(long pausedFor, long pausedAt, long timedOut) {
        public static final State RUNNING = new State(0, 0, 0);

        public boolean paused() {
            return pausedFor != 0;
        }
    }

    public record Step(Action action, State next) {
    }

    /**
     * @param state     where the pooler stands
     * @param requestAt the pending pause request's time, 0 when there is none
     * @param now       epoch ms
     */
    public static Step decide(State state, long requestAt, long now) {
        if (!state.paused()) {
            if (requestAt != 0 && requestAt != state.timedOut()) {
                return new Step(Action.PAUSE, new State(requestAt, now, state.timedOut()));
            }
            return new Step(Action.NONE, state);
        }
        if (now - state.pausedAt() >= MAX_PAUSE.toMillis()) {
            return new Step(Action.RESUME, new State(0, 0, state.pausedFor()));
        }
        if (requestAt == 0) {
            return new Step(Action.RESUME, new State(0, 0, state.timedOut()));
        }
        if (requestAt != state.pausedFor()) {
            // A new switchover asked while still paused for the last one: stay paused, counted from now.
            return new Step(Action.NONE, new State(requestAt, now, state.timedOut()));
        }
        return new Step(Action.NONE, state);
    }

    /** What the pooler publishes for the waiting node: whether it is paused for {@code requestAt}. */
    public static boolean pausedFor(State state, long requestAt) {
        return requestAt != 0 && state.pausedFor() == requestAt;
    }
}
