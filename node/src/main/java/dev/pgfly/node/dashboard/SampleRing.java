package dev.pgfly.node.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's own recent samples, per cluster, in memory only: a bounded ring (the oldest sample goes when a
 * cluster's ring is full), so that the dashboard can draw the last hour without a metrics server. A node
 * restart starts the charts afresh; that is the price of keeping nothing on disk.
 */
public final class SampleRing {
    private final int capacity;
    private final Map<String, Deque<Sample>> byCluster = new HashMap<>();

    /** @param capacity samples kept per cluster: an hour at one sample every 10 s is 360 */
    public SampleRing(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("a chart needs room for at least two samples");
        }
        this.capacity = capacity;
    }

    public synchronized void add(String cluster, Sample sample) {
        Deque<Sample> ring = byCluster.computeIfAbsent(cluster, c -> new ArrayDeque<>(capacity));
        if (!ring.isEmpty() && sample.atMillis() <= ring.peekLast().atMillis()) {
            return; // a clock step back would draw the chart backwards: the sample is dropped
        }
        if (ring.size() == capacity) {
            ring.removeFirst();
        }
        ring.addLast(sample);
    }

    /** Clusters that are gone lose their samples (a cluster created again under the name starts afresh). */
    public synchronized void retainOnly(Set<String> clusters) {
        byCluster.keySet().retainAll(clusters);
    }

    /** The chart's points of one cluster since {@code sinceMillis}, oldest first; empty when it has no samples. */
    public synchronized List<Point> points(String cluster, long sinceMillis) {
        List<Point> points = new ArrayList<>();
        Sample previous = null;
        for (Sample s : byCluster.getOrDefault(cluster, new ArrayDeque<>())) {
            if (s.atMillis() >= sinceMillis) {
                points.add(new Point(s.atMillis(), writeRate(previous, s), s.maxLagBytes(), s.maxLagSeconds()));
            }
            previous = s;
        }
        return points;
    }

    /**
     * Bytes of WAL per second between two samples, or null when it cannot be told: no earlier sample, no
     * primary in either, or a position that went back (a new cluster under the same name, a restore).
     */
    static Double writeRate(Sample before, Sample after) {
        if (before == null || before.primaryLsn() < 0 || after.primaryLsn() < 0 || after.primaryLsn() < before.primaryLsn()) {
            return null;
        }
        double seconds = (after.atMillis() - before.atMillis()) / 1000.0;
        return (after.primaryLsn() - before.primaryLsn()) / seconds;
    }

    /**
     * One point of the charts.
     *
     * @param writeBytesPerSecond WAL written per second since the previous sample, null where unknown
     */
    public record Point(long atMillis, Double writeBytesPerSecond, long lagBytes, double lagSeconds) {
    }
}
