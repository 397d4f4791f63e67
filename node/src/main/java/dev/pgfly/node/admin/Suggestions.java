package dev.pgfly.node.admin;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** "Did you mean ...?": the known names closest to a mistyped one. */
public final class Suggestions {
    private Suggestions() {
    }

    /**
     * Up to {@code limit} names within an edit distance of about a third of the name's length (at
     * least 2), closest first; when none is that close, names that contain the typed one
     * ("buffers" finds shared_buffers).
     */
    public static List<String> closest(String typed, Collection<String> known, int limit) {
        int threshold = Math.max(2, typed.length() / 3);
        List<String> near = known.stream()
                .map(k -> new Scored(k, distance(typed, k)))
                .filter(s -> s.distance() <= threshold)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(limit).map(Scored::name).toList();
        if (!near.isEmpty() || typed.length() < 3) {
            return near;
        }
        return known.stream().filter(k -> k.contains(typed)).sorted(Comparator.comparingInt(String::length)
                .thenComparing(Comparator.naturalOrder())).limit(limit).toList();
    }

    private record Scored(String name, int distance) {
    }

    /** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
