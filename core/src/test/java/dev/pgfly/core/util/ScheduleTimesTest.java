package dev.pgfly.core.util;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleTimesTest {
    private static final Instant NOW = Instant.parse("2026-12-07T15:00:00Z");
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @Test
    void acceptsInstantsLocalTimesTimesOfDayAndDelays() {
        assertThat(ScheduleTimes.parse("2026-12-07T17:00:00Z", NOW, PARIS)).isEqualTo(Instant.parse("2026-12-07T17:00:00Z"));
        assertThat(ScheduleTimes.parse("2026-12-07T18:00:00+01:00", NOW, ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2026-12-07T17:00:00Z"));
        assertThat(ScheduleTimes.parse("2026-12-07T17:00", NOW, PARIS)).as("local: Paris is UTC+1 in December")
                .isEqualTo(Instant.parse("2026-12-07T16:00:00Z"));
        assertThat(ScheduleTimes.parse("+10m", NOW, PARIS)).isEqualTo(NOW.plusSeconds(600));
        assertThat(ScheduleTimes.parse(" +90s ", NOW, PARIS)).isEqualTo(NOW.plusSeconds(90));
    }

    @Test
    void aTimeOfDayMeansItsNextOccurrence() {
        assertThat(ScheduleTimes.parse("17:30", NOW, PARIS)).as("later today (16:00 in Paris now)")
                .isEqualTo(Instant.parse("2026-12-07T16:30:00Z"));
        assertThat(ScheduleTimes.parse("03:00", NOW, PARIS)).as("tomorrow")
                .isEqualTo(Instant.parse("2026-12-08T02:00:00Z"));
    }

    @Test
    void refusesThePastTheFarFutureAndNonsense() {
        assertThatThrownBy(() -> ScheduleTimes.parse("2026-12-07T14:59:59Z", NOW, PARIS))
                .hasMessageContaining("in the past");
        assertThatThrownBy(() -> ScheduleTimes.parse("2027-12-07T14:00:00Z", NOW, PARIS))
                .hasMessageContaining("more than 30 days ahead");
        assertThatThrownBy(() -> ScheduleTimes.parse("+400d", NOW, PARIS)).hasMessageContaining("more than 30 days");
        for (String bad : new String[] {"", "tomorrow", "25:00", "+", "+-5m", "2026-13-01T00:00", "17h"}) {
            assertThatThrownBy(() -> ScheduleTimes.parse(bad, NOW, PARIS)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> ScheduleTimes.parse(null, NOW, PARIS)).isInstanceOf(IllegalArgumentException.class);
    }
}
