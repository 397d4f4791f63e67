package dev.pgfly.testkit.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FaultScheduleTest {

    @Test
    void theSameSeedGivesTheSameSchedule() {
        assertThat(FaultSchedule.draw(42, 50, 1, true)).isEqualTo(FaultSchedule.draw(42, 50, 1, true));
        assertThat(FaultSchedule.draw(42, 50, 1, true)).isNotEqualTo(FaultSchedule.draw(43, 50, 1, true));
    }

    @Test
    void drawsEveryKindOverALongRun() {
        List<FaultSchedule.Kind> kinds = FaultSchedule.draw(7, 400, 1, true).stream().flatMap(List::stream)
                .map(FaultSchedule.Fault::kind).distinct().toList();
        assertThat(kinds).containsExactlyInAnyOrder(FaultSchedule.Kind.values());
    }

    @Test
    void withoutIptablesThereAreNoPartitions() {
        assertThat(FaultSchedule.draw(7, 400, 1, false).stream().flatMap(List::stream).map(FaultSchedule.Fault::kind))
                .doesNotContain(FaultSchedule.Kind.PARTITION, FaultSchedule.Kind.PARTITION_FROM_ZOOKEEPER);
    }

    @Test
    void severalFaultsARoundHitDistinctTargetsAndAtMostOnePrimary() {
        for (List<FaultSchedule.Fault> round : FaultSchedule.draw(11, 300, 2, true)) {
            assertThat(round.stream().filter(FaultSchedule.Fault::onPrimary).count()).isLessThanOrEqualTo(1);
            assertThat(round.stream().map(FaultSchedule.Fault::replica).distinct().count()).isEqualTo(round.size());
            if (round.getFirst().kind() == FaultSchedule.Kind.SWITCHOVER
                    || round.getFirst().kind() == FaultSchedule.Kind.REMOVE_AND_ADD) {
                assertThat(round).hasSize(1);
            }
        }
    }
}
