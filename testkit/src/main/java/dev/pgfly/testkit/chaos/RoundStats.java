package dev.pgfly.testkit.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-round and per-fault-kind figures of a campaign, as pure functions of what it recorded (unit-tested
 * on made-up histories): a round's window runs from its fault to the next round's fault (the last one to
 * the end of the run), and what happened in it is charged to it.
 */
public final class RoundStats {

    /**
     * One round as it ran. {@code healMillis}: from the fault until healthy again (-1: never);
     * {@code byDesign}: ZooKeeper lost its majority by the faults' making, so writes had to stop.
     */
    public record Round(int number, List<HostFaultSchedule.Fault> faults, long startedAt, long healMillis, boolean byDesign) {
    }

    /** What a round's window saw: the longest wait for an acknowledged write, acknowledged appends lost, split-brain samples. */
    public record Figures(long writeGapMillis, int lost, int splitBrains) {
    }

    /** Per fault kind: rounds it was in, heal and unavailability (median, max), losses, split-brain samples. */
    public record KindFigures(HostFaultSchedule.Kind kind, int rounds, int byDesign, int unhealed, long healMedian, long healMax,
                              long gapMedian, long gapMax, int lost, int splitBrains) {
        public String line() {
            return String.format("  %-17s rounds %3d  heal median %6d ms max %6d ms  writes unavailable median %6d ms max %6d ms"
                            + "  lost %d  split-brain samples %d%s%s", kind.label(), rounds, healMedian, healMax, gapMedian,
                    gapMax, lost, splitBrains, byDesign > 0 ? "  (" + byDesign + " unavailable, by design: ZooKeeper lost its majority)" : "",
                    unhealed > 0 ? "  NOT HEALED " + unhealed : "");
        }
    }

    private RoundStats() {
    }

    /** The figures of each round, in order, from every operation, the lost appends' values and the probe's samples. */
    public static List<Figures> figures(List<Round> rounds, List<Op> ops, java.util.Set<Long> lostValues, List<Long> splitBrainTimes) {
        long[] acks = ops.stream()
                .filter(op -> (op.kind() == Op.Kind.TRANSFER || op.kind() == Op.Kind.APPEND) && op.outcome() == Op.Outcome.OK)
                .mapToLong(Op::completedAt).sorted().toArray();
        Map<Long, Long> lostAt = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.kind() == Op.Kind.APPEND && op.outcome() == Op.Outcome.OK && lostValues.contains(op.value())) {
                lostAt.put(op.value(), op.completedAt());
            }
        }
        List<Figures> out = new ArrayList<>();
        for (int r = 0; r < rounds.size(); r++) {
            long from = r == 0 ? Long.MIN_VALUE : rounds.get(r).startedAt();
            long to = r + 1 < rounds.size() ? rounds.get(r + 1).startedAt() : Long.MAX_VALUE;
            out.add(new Figures(longestGap(acks, rounds.get(r).startedAt(), to),
                    (int) lostAt.values().stream().filter(t -> t >= from && t < to).count(),
                    (int) splitBrainTimes.stream().filter(t -> t >= from && t < to).count()));
        }
        return out;
    }

    /**
     * The longest wait for an acknowledged write that a client saw in [from, to): gaps between consecutive
     * acknowledgements, counting the one that spans {@code from} (the wait started before the fault's round).
     */
    static long longestGap(long[] sortedAcks, long from, long to) {
        long longest = 0;
        for (int i = 1; i < sortedAcks.length; i++) {
            if (sortedAcks[i] > from && sortedAcks[i - 1] < to) {
                longest = Math.max(longest, Math.min(sortedAcks[i], to) - Math.max(sortedAcks[i - 1], from));
            }
        }
        return longest;
    }

    /** Figures per fault kind, in the kinds' order; a round with two faults counts for both kinds. */
    public static List<KindFigures> byKind(List<Round> rounds, List<Figures> figures) {
        List<KindFigures> out = new ArrayList<>();
        for (HostFaultSchedule.Kind kind : HostFaultSchedule.Kind.values()) {
            List<Long> heals = new ArrayList<>();
            List<Long> gaps = new ArrayList<>();
            int count = 0;
            int byDesign = 0;
            int unhealed = 0;
            int lost = 0;
            int split = 0;
            for (int r = 0; r < rounds.size(); r++) {
                Round round = rounds.get(r);
                if (round.faults().stream().noneMatch(f -> f.kind() == kind)) {
                    continue;
                }
                count++;
                byDesign += round.byDesign() ? 1 : 0;
                if (round.healMillis() < 0) {
                    unhealed++;
                } else {
                    heals.add(round.healMillis());
                }
                gaps.add(figures.get(r).writeGapMillis());
                lost += figures.get(r).lost();
                split += figures.get(r).splitBrains();
            }
            if (count > 0) {
                out.add(new KindFigures(kind, count, byDesign, unhealed, median(heals), max(heals), median(gaps), max(gaps), lost, split));
            }
        }
        return out;
    }

    /** The values of acknowledged appends missing from at least one of their keys at the end. */
    public static java.util.Set<Long> lostValues(List<Op> ops, Map<Integer, List<Long>> finalLists) {
        Map<Integer, java.util.Set<Long>> sets = new java.util.HashMap<>();
        finalLists.forEach((k, v) -> sets.put(k, new java.util.HashSet<>(v)));
        java.util.Set<Long> lost = new java.util.TreeSet<>();
        for (Op op : ops) {
            if (op.kind() == Op.Kind.APPEND && op.outcome() == Op.Outcome.OK
                    && !op.keys().stream().allMatch(k -> sets.getOrDefault(k, java.util.Set.of()).contains(op.value()))) {
                lost.add(op.value());
            }
        }
        return lost;
    }

    /** The time a probe sample was taken, from a {@link dev.pgfly.testkit.WritableProbe} entry ("millis: [a, b]"). */
    public static long sampleTime(String splitBrain) {
        return Long.parseLong(splitBrain.substring(0, splitBrain.indexOf(':')).strip());
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
