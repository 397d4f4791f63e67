package dev.pgfly.core.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimelinesTest {

    /**
     * Chaos run of 2026-11-29, round 75: a replica that had replayed past the new primary's fork point
     * streamed the old timeline again and again (pg_stat_wal_receiver said "streaming" most of the time)
     * and kept its grace reset for six minutes. Only the leader's timeline counts.
     */
    @Test
    void streamingAnOlderTimelineThanTheLeadersDoesNotCount() {
        assertThat(Timelines.onLeaderTimeline(30, 31)).isFalse();
        assertThat(Timelines.onLeaderTimeline(31, 31)).isTrue();
        assertThat(Timelines.onLeaderTimeline(30, 0)).as("the leader's timeline not known yet").isTrue();
    }
}
