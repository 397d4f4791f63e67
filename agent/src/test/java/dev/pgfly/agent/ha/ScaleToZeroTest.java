package dev.pgfly.agent.ha;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScaleToZeroTest {
    private static final long TIMEOUT = 10_000;
    private final ScaleToZero s = new ScaleToZero();

    @Test
    void stopsOnlyAfterAWholeTimeoutWithoutClients() {
        assertThat(s.shouldStop(1_000, 0, TIMEOUT)).as("first look starts the clock").isFalse();
        assertThat(s.shouldStop(10_999, 0, TIMEOUT)).isFalse();
        assertThat(s.shouldStop(11_000, 0, TIMEOUT)).isTrue();
    }

    @Test
    void aClientRestartsTheClock() {
        s.shouldStop(0, 0, TIMEOUT);
        assertThat(s.shouldStop(9_000, 1, TIMEOUT)).isFalse();
        assertThat(s.shouldStop(18_000, 0, TIMEOUT)).isFalse();
        assertThat(s.shouldStop(19_000, 0, TIMEOUT)).isTrue();
    }

    @Test
    void neverStopsWithoutATimeout() {
        s.shouldStop(0, 0, 0);
        assertThat(s.shouldStop(Long.MAX_VALUE / 2, 0, 0)).isFalse();
    }

    @Test
    void wakesOnANewRequestOnly() {
        s.shouldStop(0, 0, TIMEOUT);
        s.stopped(42);
        assertThat(s.isIdle()).isTrue();
        assertThat(s.shouldStop(100_000, 0, TIMEOUT)).as("already stopped").isFalse();
        assertThat(s.shouldWake(42, true)).as("the request seen when going idle").isFalse();
        assertThat(s.shouldWake(43, true)).isTrue();
        // A request value from a proxy whose clock is behind still counts: it changed.
        assertThat(s.shouldWake(7, true)).isTrue();
    }

    @Test
    void wakesWhenScaleToZeroNoLongerApplies() {
        s.stopped(1);
        assertThat(s.shouldWake(1, false)).as("e.g. a member was added").isTrue();
    }

    @Test
    void servingAgainRestartsTheIdleClock() {
        s.stopped(1);
        s.serving(50_000);
        assertThat(s.isIdle()).isFalse();
        assertThat(s.shouldStop(59_999, 0, TIMEOUT)).isFalse();
        assertThat(s.shouldStop(60_000, 0, TIMEOUT)).isTrue();
    }
}
