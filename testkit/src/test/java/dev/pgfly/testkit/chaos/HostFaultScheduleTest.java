package dev.pgfly.testkit.chaos;

import dev.pgfly.testkit.chaos.HostFaultSchedule.Fault;
import dev.pgfly.testkit.chaos.HostFaultSchedule.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HostFaultScheduleTest {

    @Test
    void theSameSeedGivesTheSameScheduleAndALongRunDrawsEveryKind() {
        assertThat(HostFaultSchedule.draw(42, 50, 1)).isEqualTo(HostFaultSchedule.draw(42, 50, 1));
        assertThat(HostFaultSchedule.draw(42, 50, 1)).isNotEqualTo(HostFaultSchedule.draw(43, 50, 1));
        assertThat(HostFaultSchedule.draw(7, 400, 1).stream().flatMap(List::stream).map(Fault::kind).distinct())
                .containsExactlyInAnyOrder(Kind.values());
    }

    @Test
    void durationsStayInTheirRangesAndVoterCrashesNeverHitThePrimary() {
        for (Fault f : HostFaultSchedule.draw(11, 600, 2).stream().flatMap(List::stream).toList()) {
            if (f.kind().crash()) {
                assertThat(f.millis()).isBetween(0L, 10_000L);
            } else if (f.kind().takesHostAway()) {
                assertThat(f.millis()).isBetween(2_000L, 20_000L);
            } else {
                assertThat(f.millis()).isZero();
            }
            if (f.kind() == Kind.VOTER_CRASH) {
                assertThat(f.onPrimary()).isFalse();
            }
        }
    }

    @Test
    void twoFaultsARoundHitDistinctHostsAndASwitchoverIsAlone() {
        for (List<Fault> round : HostFaultSchedule.draw(11, 300, 2)) {
            assertThat(round.stream().filter(Fault::onPrimary).count()).isLessThanOrEqualTo(1);
            assertThat(round.stream().map(Fault::replica).distinct().count()).isEqualTo(round.size());
            if (round.stream().anyMatch(f -> f.kind() == Kind.SWITCHOVER)) {
                assertThat(round).hasSize(1);
            }
        }
    }

    @Test
    void twoHostsAwayOfThreeVotersIsUnavailableByDesign() {
        Fault crash = new Fault(Kind.HOST_CRASH, -1, 0);
        Fault loss = new Fault(Kind.LOSS_OUTBOUND, 0, 2_000);
        Fault kill = new Fault(Kind.KILL_POSTGRES, 0, 0);
        assertThat(HostFaultSchedule.quorumLostByDesign(List.of(crash), 3)).isFalse();
        assertThat(HostFaultSchedule.quorumLostByDesign(List.of(crash, kill), 3)).isFalse();
        assertThat(HostFaultSchedule.quorumLostByDesign(List.of(crash, loss), 3)).isTrue();
    }
}
