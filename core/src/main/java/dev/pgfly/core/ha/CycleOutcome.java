package dev.pgfly.core.ha;

import dev.pgfly.core.model.MemberState;

/**
 * What one HA cycle did: the state the member is in at its end and the sentence that explains it, for
 * people. The loop publishes it; a handler returns it rather than setting it, so that a cycle's result is
 * a value a test can assert on.
 */
public record CycleOutcome(MemberState state, String detail) {

    public static CycleOutcome of(MemberState state, String detail) {
        return new CycleOutcome(state, detail);
    }

    /** The settled state, which needs no sentence. */
    public static CycleOutcome running() {
        return new CycleOutcome(MemberState.RUNNING, null);
    }
}
