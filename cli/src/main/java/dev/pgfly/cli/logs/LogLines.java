package dev.pgfly.cli.logs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The pure parts of {@code pgfly logs}: cutting a byte stream into complete lines, putting the
 * source's label in front of each ({@code m1 | ...}), and merging several files' last lines in time
 * order. PostgreSQL's and the agent's lines both start with "yyyy-MM-dd HH:mm:ss.SSS", which sorts as
 * text; a line without a timestamp (a DETAIL, a stack trace) stays with the line before it.
 */
public final class LogLines {
    private static final Pattern TIMESTAMP = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}.*");
    private static final int TIMESTAMP_LENGTH = 23;

    private LogLines() {
    }

    /** "m1 | text", the label padded to {@code width} so that the bars line up. */
    public static String prefixed(String label, int width, String line) {
        return label + " ".repeat(Math.max(0, width - label.length())) + " | " + line;
    }

    /** One line with its label and the time it sorts by. */
    public record Labelled(String label, String sortKey, String line) {
    }

    /** Labels one file's lines, each sorting by its own timestamp or, lacking one, the previous line's. */
    public static List<Labelled> label(String label, List<String> lines) {
        List<Labelled> out = new ArrayList<>(lines.size());
        String key = "";
        for (String line : lines) {
            if (TIMESTAMP.matcher(line).matches()) {
                key = line.substring(0, TIMESTAMP_LENGTH);
            }
            out.add(new Labelled(label, key, line));
        }
        return out;
    }

    /** Several files' lines in time order; the sort is stable, so lines of one file keep their order. */
    public static List<Labelled> merge(List<List<Labelled>> files) {
        List<Labelled> all = new ArrayList<>();
        files.forEach(all::addAll);
        all.sort(Comparator.comparing(Labelled::sortKey));
        return all;
    }

    /** Collects bytes and hands out the complete lines; a partial last line waits for its end. */
    public static final class Splitter {
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

        public List<String> add(byte[] bytes, int length) {
            List<String> lines = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < length; i++) {
                if (bytes[i] == '\n') {
                    partial.write(bytes, start, i - start);
                    lines.add(stripCarriageReturn(partial.toString(StandardCharsets.UTF_8)));
                    partial.reset();
                    start = i + 1;
                }
            }
            partial.write(bytes, start, length - start);
            return lines;
        }

        /** Forgets a partial line (the file was truncated or replaced under it). */
        public void reset() {
            partial.reset();
        }

        private static String stripCarriageReturn(String s) {
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
    }
}
