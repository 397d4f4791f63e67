package dev.pgfly.cli.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows one log file like {@code tail -F}: hands out lines appended since the last poll, and starts
 * over from the beginning when the file was truncated (PostgreSQL's log is rotated by copy and
 * truncate) or replaced by a new file (the agent's log rolls over by renaming).
 */
public final class LogTail {
    private static final int TAIL_CHUNK = 64 * 1024;

    private final Path file;
    private final LogLines.Splitter splitter = new LogLines.Splitter();
    private Object fileKey;
    private long position;

    public LogTail(Path file) {
        this.file = file;
    }

    /** The last {@code n} lines now in the file; following continues from its current end. */
    public List<String> last(int n) throws IOException {
        if (!Files.exists(file)) {
            fileKey = null;
            position = 0;
            return List.of();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long size = raf.length();
            long from = size;
            List<String> lines = List.of();
            // Read backwards in growing chunks until there are enough lines (or the whole file).
            while (from > 0) {
                from = Math.max(0, from - TAIL_CHUNK);
                byte[] bytes = new byte[(int) (size - from)];
                raf.seek(from);
                raf.readFully(bytes);
                lines = new LogLines.Splitter().add(bytes, bytes.length);
                if (lines.size() > n || from == 0) {
                    break;
                }
            }
            if (from > 0 && !lines.isEmpty()) {
                lines = lines.subList(1, lines.size()); // the first one may be cut
            }
            fileKey = key();
            position = size;
            return n <= 0 ? List.of() : new ArrayList<>(lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    /** Complete lines appended since the last call. */
    public List<String> poll() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Object key = key();
        long size = Files.size(file);
        if (!Objects.equals(key, fileKey) || size < position) {
            fileKey = key;
            position = 0;
            splitter.reset();
        }
        if (size == position) {
            return List.of();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(position);
            byte[] bytes = new byte[(int) Math.min(size - position, 4L * 1024 * 1024)];
            int read = raf.read(bytes);
            if (read <= 0) {
                return List.of();
            }
            position += read;
            return splitter.add(bytes, read);
        }
    }

    private Object key() throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }
}
