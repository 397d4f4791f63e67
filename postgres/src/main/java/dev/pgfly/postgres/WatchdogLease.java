package dev.pgfly.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The lease the watchdog script reads before it lets the postmaster live on: a deadline after which it
 * fences PostgreSQL, or 0 for "nothing to fence". Written into the member directory, which only pgfly's
 * user may write.
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
        Path tmp = dir.path().resolve(file.getFileName() + ".tmp");
        Files.writeString(tmp, value + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
