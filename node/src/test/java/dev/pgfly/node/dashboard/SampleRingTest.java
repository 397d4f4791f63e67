package dev.pgfly.node.dashboard;

import dev.pgfly.node.api.MemberView;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SampleRingTest {

    private static MemberView member(String name, String role, String lsn, long lagBytes, double lagSeconds) {
        return new MemberView(name, role, "running", "r", "127.0.0.1", 5432, 1L, 2L, null, lsn, 1, lagBytes, lagSeconds,
                false, true, null, null, null);
    }

    @Test
    void aSampleTakesThePrimarysPositionAndTheWorstReplicaLag() {
        Sample s = Sample.of(1_000, List.of(member("a", "primary", "0/3000000", 0, 0),
                member("b", "replica", "0/2F00000", 1_048_576, 0.5), member("c", "replica", "0/2FF0000", 65_536, 2.0)));
        assertThat(s).isEqualTo(new Sample(1_000, 0x3000000L, 1_048_576, 2.0));
        assertThat(Sample.of(1_000, List.of(member("b", "replica", "0/1", 5, 0.1))).primaryLsn())
                .as("no primary: no position").isEqualTo(-1);
        assertThat(Sample.of(1_000, List.of(member("a", "primary", "garbage", 0, 0))).primaryLsn()).isEqualTo(-1);
    }

    @Test
    void throughputIsTheWalWrittenBetweenTwoSamplesPerSecond() {
        SampleRing ring = new SampleRing(10);
        ring.add("shop", new Sample(0, 1_000, 0, 0));
        ring.add("shop", new Sample(10_000, 101_000, 7, 0.2));
        ring.add("shop", new Sample(20_000, 101_000, 0, 0));

        List<SampleRing.Point> points = ring.points("shop", 0);
        assertThat(points).extracting(SampleRing.Point::writeBytesPerSecond).containsExactly(null, 10_000.0, 0.0);
        assertThat(points).extracting(SampleRing.Point::lagBytes).containsExactly(0L, 7L, 0L);
        assertThat(ring.points("other", 0)).isEmpty();
    }

    @Test
    void anUnknownOrBackwardPositionGivesNoRateRatherThanANegativeOne() {
        assertThat(SampleRing.writeRate(new Sample(0, -1, 0, 0), new Sample(10_000, 5, 0, 0))).isNull();
        assertThat(SampleRing.writeRate(new Sample(0, 5, 0, 0), new Sample(10_000, -1, 0, 0))).isNull();
        assertThat(SampleRing.writeRate(new Sample(0, 500, 0, 0), new Sample(10_000, 100, 0, 0))).isNull();
    }

    @Test
    void theRingKeepsTheNewestSamplesAndOnlyThoseSinceTheWindowStart() {
        SampleRing ring = new SampleRing(3);
        for (int i = 0; i < 5; i++) {
            ring.add("shop", new Sample(i * 10_000L, i * 100L, 0, 0));
        }
        assertThat(ring.points("shop", 0)).extracting(SampleRing.Point::atMillis).containsExactly(20_000L, 30_000L, 40_000L);
        assertThat(ring.points("shop", 0).getFirst().writeBytesPerSecond())
                .as("the oldest kept sample has no predecessor left").isNull();
        assertThat(ring.points("shop", 25_000)).extracting(SampleRing.Point::atMillis).containsExactly(30_000L, 40_000L);
        assertThat(ring.points("shop", 25_000).getFirst().writeBytesPerSecond())
                .as("a sample before the window still serves as the first point's predecessor").isEqualTo(10.0);
    }

    @Test
    void aSampleFromAClockStepBackIsDroppedAndGoneClustersAreForgotten() {
        SampleRing ring = new SampleRing(5);
        ring.add("shop", new Sample(10_000, 1, 0, 0));
        ring.add("shop", new Sample(5_000, 2, 0, 0));
        ring.add("old", new Sample(10_000, 1, 0, 0));
        assertThat(ring.points("shop", 0)).hasSize(1);
        ring.retainOnly(Set.of("shop"));
        assertThat(ring.points("old", 0)).isEmpty();
        assertThat(ring.points("shop", 0)).hasSize(1);
        assertThatThrownBy(() -> new SampleRing(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
