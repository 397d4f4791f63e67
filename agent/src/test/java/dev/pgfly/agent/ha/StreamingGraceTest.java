package dev.pgfly.agent.ha;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class StreamingGraceTest {
    private final StreamingGrace grace = new StreamingGrace(Duration.ofSeconds(20));

    @Test
    void usedUpOnlyAfterTheGraceWithoutStreaming() {
        assertThat(grace.usedUp(1_000)).isFalse();
        assertThat(grace.usedUp(20_000)).isFalse();
        assertThat(grace.usedUp(21_001)).isTrue();
        // and it starts over
        assertThat(grace.usedUp(21_002)).isFalse();
    }

    @Test
    void streamingStopsTheClock() {
        grace.usedUp(1_000);
        grace.reset();
        assertThat(grace.usedUp(30_000)).isFalse();
        assertThat(grace.usedUp(45_000)).isFalse();
    }

    /**
     * Seen in a chaos run: a member not streaming for a while, then promoted, then handed over in a
     * switchover, was rewound 350 ms after it rejoined, because the clock from before its time as
     * primary still ran. A restart as a replica gives it the whole grace again.
     */
    @Test
    void aRestartAsReplicaGivesTheWholeGraceAgain() {
        grace.usedUp(1_000);
        grace.reset();
        assertThat(grace.usedUp(40_000)).isFalse();
        assertThat(grace.usedUp(40_350)).isFalse();
        assertThat(grace.usedUp(60_001)).isTrue();
    }
}
