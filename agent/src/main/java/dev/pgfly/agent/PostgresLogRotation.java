package dev.pgfly.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps {@code postgres.log} bounded: once it passes {@link #MAX_BYTES}, its content is copied to
 * {@code postgres.log.1} (older copies shift to {@code .2} and {@code .3}; the oldest is dropped) and
 * the file is truncated in place.
 *
 * <p>Why copy-and-truncate, rather than a rename or PostgreSQL's {@code logging_collector}: the
 * postmaster, every backend and the watchdog write to one descriptor opened in append mode and
 * inherited from the agent; nothing can make them reopen it. After a rename they would keep writing
 * into the renamed file. Truncating keeps their descriptor valid, and append mode puts the next write
 * at the new end of the file. The logging collector would rotate without loss, but it writes as the
 * postgres OS user, which may not create files in the member directory, spreads logs over
 * time-stamped files that nothing deletes, and still sends startup errors to this file. The price of
 * copy-and-truncate is the lines written between the last copy and the truncation: the copy catches
 * up with the writers until the file stops growing, so that window is microseconds, once per 10 MiB.
 */
final class PostgresLogRotation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresLogRotation.class);
    static final long MAX_BYTES = 10L * 1024 * 1024;
    static final int KEEP = 3;
    private static final long CHECK_SECONDS = 10;

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final ScheduledExecutorService timer;

    PostgresLogRotation(Path file, long maxBytes, int keep, ScheduledExecutorService timer) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.timer = timer;
    }

    /** Checks the size every few seconds on a thread of its own (never the HA loop's). */
    static PostgresLogRotation start(Path file) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("postgres-log-rotation").daemon(true).factory());
        PostgresLogRotation rotation = new PostgresLogRotation(file, MAX_BYTES, KEEP, timer);
        timer.scheduleWithFixedDelay(rotation::rotateQuietly, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
        return rotation;
    }

    private void rotateQuietly() {
        try {
            rotateIfLarge();
        } catch (IOException | RuntimeException e) {
            log.warn("could not rotate {}: {}", file, e.toString());
        }
    }

    /** Rotates when the file has reached the size limit; returns whether it did. */
    boolean rotateIfLarge() throws IOException {
        if (!Files.exists(file) || Files.size(file) < maxBytes) {
            return false;
        }
        Files.deleteIfExists(numbered(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path copy = numbered(1);
        Files.deleteIfExists(copy);
        Files.createFile(copy, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel out = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            long copied = 0;
            long size;
            while ((size = in.size()) > copied) {
                copied += in.transferTo(copied, size - copied, out);
            }
            in.truncate(0);
        }
        return true;
    }

    Path numbered(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
