package dev.pgfly.postgres;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The lease the watchdog script reads before it lets the postmaster live on: a deadline after which it
 * fences PostgreSQL, or 0 for "nothing to fence". Written into the member directory, which only pgfly's
 * user may write.
 *
 * <p>A renewal must not need free space: the member directory is on the data volume, and a lease that
 * cannot be renewed when that volume fills makes the watchdog fence a primary that still leads (the host
 * chaos campaign's full-disk fault did exactly that: an immediate shutdown 1.5 s into the fill, then a
 * PostgreSQL that could not start again until space was freed, as its lock file could not be written).
 * So each lease file is published from one of two slot files beside it ({@code .NAME.a}, {@code .NAME.b}),
 * which keep their block once written: the slot the lease does not name is overwritten in place, linked
 * under a temporary name and renamed over the lease. Readers see the old deadline or the new one, never
 * a mix: the slot being written is the one the lease named a renewal earlier (the watchdog reads the
 * lease in microseconds, ten times a second). Only the first renewal ever allocates the slots.
 */
public final class WatchdogLease {
    private final MemberDirectory dir;

    public WatchdogLease(MemberDirectory dir) {
        this.dir = dir;
    }

    public Path file() {
        return dir.leaseFile();
    }

    /** The lease as watchdogs before the monotonic one read it: a deadline in ms of the wall clock. */
    public Path legacyFile() {
        return dir.legacyLeaseFile();
    }

    /**
     * Writes the watchdog lease: a deadline in milliseconds of {@link MonotonicClock} (the kernel's
     * /proc/uptime, which the watchdog reads too), or 0 for "nothing to fence".
     */
    public void write(long deadlineMillis) throws IOException {
        replace(file(), deadlineMillis);
        // The same deadline on the wall clock, in the file a watchdog started by an agent before the
        // monotonic lease reads: after an upgrade of pgfly its PostgreSQL keeps running under that old
        // watchdog, which would read an uptime deadline as long expired and fence a healthy primary.
        long wallDeadline = deadlineMillis == 0 ? 0 : System.currentTimeMillis() + (deadlineMillis - MonotonicClock.millis());
        replace(legacyFile(), wallDeadline);
    }

    private void replace(Path file, long value) throws IOException {
        Path a = slot(file, "a");
        Path b = slot(file, "b");
        Path spare = sameInode(file, a) ? b : a;
        writeInPlace(spare, (value + "\n").getBytes(StandardCharsets.US_ASCII));
        Path link = dir.path().resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(link);
        Files.createLink(link, spare);
        Files.move(link, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Path slot(Path file, String which) {
        return file.resolveSibling("." + file.getFileName() + "." + which);
    }

    /**
     * Overwrites {@code slot} from its start and cuts it to {@code bytes}: no truncation to zero first, so
     * the block it holds stays allocated and a full volume does not refuse the write.
     */
    private static void writeInPlace(Path slot, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(slot, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long at = 0;
            while (buf.hasRemaining()) {
                at += ch.write(buf, at);
            }
            ch.truncate(bytes.length);
        }
    }

    private static boolean sameInode(Path x, Path y) throws IOException {
        if (!Files.exists(x, LinkOption.NOFOLLOW_LINKS) || !Files.exists(y, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Object kx = Files.readAttributes(x, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        Object ky = Files.readAttributes(y, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        return kx != null && Objects.equals(kx, ky);
    }
}
