package dev.pgfly.postgres;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** PostgreSQL's own log in the member directory: kept private, and read for why PostgreSQL stopped. */
public final class PostgresLog {
    private PostgresLog() {
    }

    /**
     * PostgreSQL's log (and restore.log) is only for pgfly's user: mode 0600, made so before anything
     * writes to it, and put back to 0600 if it was wider (logs of older versions were 0644).
     */
    public static void createPrivate(Path log) throws IOException {
        dev.pgfly.core.util.PrivateFiles.privateLog(log);
    }

    /**
     * The line of PostgreSQL's log that best says why it stopped: the last FATAL or PANIC among the
     * last lines (the final lines of a failed start are only "database system is shut down"), else
     * the last line. Reads the end of the file only: the log can be large.
     */
    public static String lastLine(Path log) {
        List<String> lines;
        try {
            lines = tail(log, 16 * 1024);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            int level = Math.max(line.indexOf("FATAL:"), line.indexOf("PANIC:"));
            if (level >= 0) {
                return line.substring(level).replaceAll("\\s+", " ").strip();
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).strip();
            }
        }
        return "(no log output)";
    }

    /** The log's size now: where {@link #linesSince} starts reading to see only what comes after. */
    public static long size(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The complete lines written since the log had {@code offset} bytes, at most the last {@code maxBytes}
     * of them; from the start when the log is now shorter (rotated).
     */
    public static List<String> linesSince(Path log, long offset, int maxBytes) {
        try {
            if (!Files.exists(log)) {
                return List.of();
            }
            long size = Files.size(log);
            long from = size < offset ? 0 : offset;
            return tail(log, (int) Math.min(maxBytes, size - from));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<String> tail(Path file, int bytes) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (var f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - bytes);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            List<String> lines = new ArrayList<>(List.of(new String(buf, StandardCharsets.UTF_8).split("\n")));
            if (start > 0 && !lines.isEmpty()) {
                lines.removeFirst(); // a partial line
            }
            return lines;
        }
    }
}
