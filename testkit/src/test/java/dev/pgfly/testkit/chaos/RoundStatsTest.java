package dev.pgfly.testkit.chaos;

import dev.pgfly.testkit.chaos.HostFaultSchedule.Fault;
import dev.pgfly.testkit.chaos.HostFaultSchedule.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RoundStatsTest {

    private static Op append(long value, long at, Op.Outcome outcome) {
        return Op.append(0, at - 5, at, outcome, value, List.of(1, 2));
    }

    @Test
    void eachRoundIsChargedWhatHappenedBetweenItsFaultAndTheNextOne() {
        List<RoundStats.Round> rounds = List.of(
                new RoundStats.Round(1, List.of(new Fault(Kind.HOST_CRASH, -1, 0)), 1_000, 4_000, false),
                new RoundStats.Round(2, List.of(new Fault(Kind.HOST_CUT, -1, 5_000)), 10_000, 9_000, false));
        List<Op> ops = List.of(append(1, 900, Op.Outcome.OK), append(2, 3_500, Op.Outcome.OK), append(3, 10_500, Op.Outcome.OK),
                append(4, 10_600, Op.Outcome.FAILED), append(5, 12_600, Op.Outcome.OK));
        Set<Long> lost = RoundStats.lostValues(ops, Map.of(1, List.of(1L, 2L, 5L), 2, List.of(1L, 2L)));
        assertThat(lost).containsExactly(3L, 5L);

        List<RoundStats.Figures> f = RoundStats.figures(rounds, ops, lost, List.of(2_000L, 11_000L, 11_100L));
        // Round 1: the wait from 900 to 3,500 counts from its fault at 1,000; then 3,500 to 10,000 (its end).
        assertThat(f.get(0)).isEqualTo(new RoundStats.Figures(6_500, 0, 1));
        // Round 2: 10,000 (its start) to 10,500, then 10,500 to 12,600.
        assertThat(f.get(1)).isEqualTo(new RoundStats.Figures(2_100, 2, 2));
    }

    @Test
    void aRoundWithTwoFaultsCountsForBothKindsAndUnhealedRoundsAreNamed() {
        List<RoundStats.Round> rounds = List.of(
                new RoundStats.Round(1, List.of(new Fault(Kind.HOST_CRASH, -1, 0), new Fault(Kind.VOTER_CRASH, 0, 0)), 0, 30_000, true),
                new RoundStats.Round(2, List.of(new Fault(Kind.HOST_CRASH, -1, 0)), 100_000, -1, false));
        List<RoundStats.Figures> figures = List.of(new RoundStats.Figures(20_000, 0, 0), new RoundStats.Figures(8_000, 1, 3));
        List<RoundStats.KindFigures> kinds = RoundStats.byKind(rounds, figures);
        assertThat(kinds).extracting(RoundStats.KindFigures::kind).containsExactly(Kind.HOST_CRASH, Kind.VOTER_CRASH);
        RoundStats.KindFigures crash = kinds.getFirst();
        assertThat(crash.rounds()).isEqualTo(2);
        assertThat(crash.byDesign()).isEqualTo(1);
        assertThat(crash.unhealed()).isEqualTo(1);
        assertThat(crash.healMax()).isEqualTo(30_000);
        assertThat(crash.gapMax()).isEqualTo(20_000);
        assertThat(crash.lost()).isEqualTo(1);
        assertThat(crash.splitBrains()).isEqualTo(3);
        assertThat(crash.line()).contains("unavailable, by design").contains("NOT HEALED 1");
    }

    @Test
    void probeSamplesCarryTheirTime() {
        assertThat(RoundStats.sampleTime("1700000000123: [m1, m2]")).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void aKillShowsInTheStatusOnlyOnceNoMemberReportsTheKilledProcess() throws Exception {
        tools.jackson.databind.JsonNode before = dev.pgfly.core.util.Json.MAPPER.readTree(
                "{\"members\":[{\"name\":\"m1\",\"agent_pid\":10,\"postgres_pid\":11},{\"name\":\"m2\",\"agent_pid\":20}]}");
        Set<Long> killed = HostChaosRun.killedBy(new Fault(Kind.HOST_CRASH, -1, 0), before.get("members").get(1));
        assertThat(killed).containsExactly(20L);
        assertThat(HostInstall.noneOf(before, killed)).isFalse();
        assertThat(HostInstall.noneOf(before, Set.of(12L))).isTrue();
        assertThat(HostChaosRun.killedBy(new Fault(Kind.HOST_CUT, -1, 2_000), before.get("members").get(0))).isEmpty();
    }
}
