package dev.pgfly.postgres;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The clock of the watchdog lease: the kernel's uptime from /proc/uptime, in milliseconds (10 ms
 * resolution). It never steps: setting the wall clock back, or NTP stepping it, changes nothing, where
 * a lease in wall-clock time would be extended by the step and delay fencing (S1). The watchdog script
 * reads the same file with bash's builtin {@code read}, so both sides use one clock and no process is
 * forked for it.
 */
public final class MonotonicClock {
    private static final Path UPTIME = Path.of("/proc/uptime");

    private MonotonicClock() {
    }

    /** Milliseconds since boot. */
    public static long millis() throws IOException {
        return parseUptimeMillis(Files.readString(UPTIME));
    }

    /** The first field of /proc/uptime ("12345.67 98765.43"), in milliseconds. */
    static long parseUptimeMillis(String uptime) {
        String first = uptime.strip().split("\\s+")[0];
        return new BigDecimal(first).movePointRight(3).longValue();
    }
}
