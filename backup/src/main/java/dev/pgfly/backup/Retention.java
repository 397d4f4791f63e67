package dev.pgfly.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * Which snapshots and WAL to keep, as a pure function of the snapshots, the time and the retention
 * window. Every point in time of the window must stay restorable:
 * <ul>
 *   <li>every snapshot that ended inside the window is kept;</li>
 *   <li>so is the newest one that ended before it, since restoring to the window's first moment
 *       starts from it (never delete the newest snapshot that a retained point in time needs);</li>
 *   <li>the newest snapshot is always kept, however old;</li>
 *   <li>WAL before the start of the oldest kept snapshot is needed by nothing and is pruned.</li>
 * </ul>
 */
public final class Retention {

    /** What to do: snapshot ids to keep and to delete, and the first WAL segment number to keep (empty: prune none). */
    public record Plan(List<String> keep, List<String> delete, OptionalLong firstWalSegmentToKeep) {
    }

    private Retention() {
    }

    public static Plan plan(List<SnapshotManifest> snapshots, Instant now, Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("retention must be positive");
        }
        List<SnapshotManifest> byEnd = snapshots.stream()
                .sorted(Comparator.comparing(SnapshotManifest::endTime).thenComparing(SnapshotManifest::id)).toList();
        if (byEnd.isEmpty()) {
            return new Plan(List.of(), List.of(), OptionalLong.empty());
        }
        Instant windowStart = now.minus(window);
        List<String> keep = new ArrayList<>();
        List<String> delete = new ArrayList<>();
        SnapshotManifest coveringWindowStart = null;
        for (SnapshotManifest s : byEnd) {
            if (!s.endTime().isAfter(windowStart)) {
                coveringWindowStart = s;
            }
        }
        SnapshotManifest newest = byEnd.getLast();
        long oldestKeptStart = Long.MAX_VALUE;
        for (SnapshotManifest s : byEnd) {
            boolean inWindow = s.endTime().isAfter(windowStart);
            if (inWindow || s == coveringWindowStart || s == newest) {
                keep.add(s.id());
                oldestKeptStart = Math.min(oldestKeptStart, WalNames.segmentOf(s.startLsnValue()));
            } else {
                delete.add(s.id());
            }
        }
        return new Plan(keep, delete, OptionalLong.of(oldestKeptStart));
    }

    /** Whether an archived WAL file may be pruned: history files never, segments before the first one kept. */
    public static boolean prunable(String walName, long firstSegmentToKeep) {
        OptionalLong segment = WalNames.segmentNumber(walName);
        return segment.isPresent() && segment.getAsLong() < firstSegmentToKeep;
    }
}
