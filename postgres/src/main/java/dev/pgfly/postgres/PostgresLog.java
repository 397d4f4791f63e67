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
