package dev.pgfly.proxy.pooler;

import dev.pgfly.proxy.pooler.PauseDecision.Action;
import dev.pgfly.proxy.pooler.PauseDecision.State;
import dev.pgfly.proxy.pooler.PauseDecision.Step;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PauseDecisionTest {
    private static final long MAX = PauseDecision.MAX_PAUSE.toMillis();

    @Test
    void runningPoolerWithoutRequestStaysRunning() {
        Step step = PauseDecision.decide(State.RUNNING, 0, 1000);
        assertThat(step.action()).isEqualTo(Action.NONE);
        assertThat(step.next()).isEqualTo(State.RUNNING);
    }

    @Test
    void aRequestPausesAndTheClearedRequestResumes() {
        Step pause = PauseDecision.decide(State.RUNNING, 500, 1000);
        assertThat(pause.action()).isEqualTo(Action.PAUSE);
        assertThat(PauseDecision.pausedFor(pause.next(), 500)).isTrue();

        Step during = PauseDecision.decide(pause.next(), 500, 3000);
        assertThat(during.action()).isEqualTo(Action.NONE);
        assertThat(during.next().paused()).isTrue();

        Step resume = PauseDecision.decide(during.next(), 0, 4000);
        assertThat(resume.action()).isEqualTo(Action.RESUME);
        assertThat(resume.next().paused()).isFalse();
    }

    @Test
    void theTimeLimitAlwaysResumesAndThatRequestDoesNotPauseAgain() {
        State paused = PauseDecision.decide(State.RUNNING, 500, 1000).next();
        Step late = PauseDecision.decide(paused, 500, 1000 + MAX);
        assertThat(late.action()).isEqualTo(Action.RESUME);

        // The stale request is still in the store (its node died): clients are not held for it again.
        Step after = PauseDecision.decide(late.next(), 500, 2000 + MAX);
        assertThat(after.action()).isEqualTo(Action.NONE);
        assertThat(PauseDecision.pausedFor(after.next(), 500)).isFalse();

        // The next switchover's request pauses as usual.
        assertThat(PauseDecision.decide(after.next(), 9000, 10_000 + MAX).action()).isEqualTo(Action.PAUSE);
    }

    @Test
    void aNewRequestWhilePausedKeepsThePauseAndRestartsItsClock() {
        State paused = PauseDecision.decide(State.RUNNING, 500, 1000).next();
        Step next = PauseDecision.decide(paused, 700, 1000 + MAX - 1);
        assertThat(next.action()).isEqualTo(Action.NONE);
        assertThat(PauseDecision.pausedFor(next.next(), 700)).isTrue();
        assertThat(PauseDecision.decide(next.next(), 700, 1000 + MAX + 10).action()).isEqualTo(Action.NONE);
    }
}
