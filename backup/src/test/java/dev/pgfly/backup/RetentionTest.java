package dev.pgfly.backup;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionTest {
    static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");

    static SnapshotManifest snapshot(String id, Instant end, String startLsn) {
        return new SnapshotManifest(id, "c", "m1", end.minusSeconds(60), end, startLsn, startLsn, 1, 15, 1, List.of());
    }

    /** One daily snapshot at 03:00 for the given number of days back, the newest first in the list. */
    static List<SnapshotManifest> daily(int days) {
        List<SnapshotManifest> list = new ArrayList<>();
        for (int d = days - 1; d >= 0; d--) {
            Instant end = Instant.parse("2025-03-10T03:00:00Z").minus(Duration.ofDays(d));
            list.add(snapshot(SnapshotManifest.newId(end), end, Integer.toHexString(10 - d + 10) + "/0"));
        }
        return list;
    }

    @Test
    void keepsTheWindowPlusTheSnapshotThatCoversItsStart() {
        List<SnapshotManifest> all = daily(8); // 03-03 .. 03-10
        Retention.Plan plan = Retention.plan(all, NOW, Duration.ofDays(5));
        // window starts 03-05 12:00: snapshots of 03-06..03-10 are inside, 03-05 03:00 covers the start
        assertThat(plan.keep()).containsExactly("20250305T030000Z", "20250306T030000Z", "20250307T030000Z",
                "20250308T030000Z", "20250309T030000Z", "20250310T030000Z");
        assertThat(plan.delete()).containsExactly("20250303T030000Z", "20250304T030000Z");
        // WAL from the start of the oldest kept snapshot on stays
        assertThat(plan.firstWalSegmentToKeep()).hasValue(WalNames.segmentOf(dev.pgfly.core.model.Lsn.parse("f/0")));
    }

    @Test
    void theNewestSnapshotIsKeptHoweverOld() {
        Instant old = NOW.minus(Duration.ofDays(30));
        List<SnapshotManifest> all = List.of(snapshot("20250201T030000Z", old.minus(Duration.ofDays(1)), "1/0"),
                snapshot("20250202T030000Z", old, "2/0"));
        Retention.Plan plan = Retention.plan(all, NOW, Duration.ofDays(5));
        assertThat(plan.keep()).containsExactly("20250202T030000Z");
        assertThat(plan.delete()).containsExactly("20250201T030000Z");
    }

    @Test
    void nothingToDoWithoutSnapshotsAndWalIsNotPrunedThen() {
        Retention.Plan plan = Retention.plan(List.of(), NOW, Duration.ofDays(5));
        assertThat(plan.keep()).isEmpty();
        assertThat(plan.delete()).isEmpty();
        assertThat(plan.firstWalSegmentToKeep()).isEmpty();
    }

    @Test
    void allInsideTheWindowAreKept() {
        Retention.Plan plan = Retention.plan(daily(3), NOW, Duration.ofDays(5));
        assertThat(plan.delete()).isEmpty();
        assertThat(plan.keep()).hasSize(3);
    }

    @Test
    void prunableNeverTouchesHistoryFiles() {
        assertThat(Retention.prunable("00000005.history", Long.MAX_VALUE)).isFalse();
        assertThat(Retention.prunable("000000010000000000000004", 5)).isTrue();
        assertThat(Retention.prunable("000000010000000000000005", 5)).isFalse();
        assertThat(Retention.prunable("000000030000000000000004.partial", 5)).isTrue();
    }

    @Test
    void retentionMustBePositive() {
        assertThatThrownBy(() -> Retention.plan(daily(1), NOW, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
