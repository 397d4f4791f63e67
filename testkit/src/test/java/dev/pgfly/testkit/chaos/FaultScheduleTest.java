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
            if (round.stream().anyMatch(FaultSchedule.Fault::clusterWide)) {
                assertThat(round).hasSize(1);
            }
        }
    }

    @Test
    void zooKeeperRestartsLastFromHalfASecondToNineSeconds() {
        List<Long> downs = FaultSchedule.draw(7, 600, 1, true).stream().flatMap(List::stream)
                .filter(f -> f.kind() == FaultSchedule.Kind.ZOOKEEPER_RESTART).map(FaultSchedule.Fault::downMillis).toList();
        assertThat(downs).isNotEmpty().allMatch(d -> d >= 500 && d <= 9_000);
        assertThat(downs).anyMatch(d -> d < 2_000).anyMatch(d -> d > 5_000);
    }
}
