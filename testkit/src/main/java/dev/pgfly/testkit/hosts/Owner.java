package dev.pgfly.testkit.hosts;

import java.time.Instant;
import java.util.Optional;

/**
 * The process that created a {@link Hosts}, written to a file named after its prefix before any
 * kernel object exists: {@link Hosts#removeStale()} removes a prefix's objects only when this process
 * is gone. The start time tells a live owner from a new process that got its pid back.
 */
record Owner(long pid, long startMillis) {
    /**
     * How far two JVMs may disagree on one process's start: each adds the process's start in clock
     * ticks to the boot time it read from /proc/stat once, and that boot time moves by a second now
     * and then as the clock is adjusted. A pid reused within this window of its first owner's start
     * would need the owner to have run for less than that.
     */
    static final long START_TOLERANCE_MILLIS = 2_000;

    static Owner current() {
        ProcessHandle self = ProcessHandle.current();
        return new Owner(self.pid(), self.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
    }

    String format() {
        return pid + " " + startMillis + "\n";
    }

    /** Empty for anything unreadable: such a file names no owner, and its objects count as left over. */
    static Optional<Owner> parse(String text) {
        String[] parts = text.strip().split("\\s+");
        if (parts.length != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Owner(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    boolean alive() {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            return false;
        }
        // a start time we cannot read, here or when the file was written: the pid alone decides,
        // erring towards keeping another run's hosts
        Optional<Instant> started = handle.get().info().startInstant();
        return startMillis == 0 || started.isEmpty() || Math.abs(started.get().toEpochMilli() - startMillis) <= START_TOLERANCE_MILLIS;
    }
}
