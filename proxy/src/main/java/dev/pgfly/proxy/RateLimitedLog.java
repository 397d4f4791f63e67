package dev.pgfly.proxy;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A warning that may repeat thousands of times a second (an accept failing with "too many open files",
 * connections refused over a cap) is logged at most once per interval per kind, with the number of
 * like messages left out since the last one. Unlimited, such a line grew the proxy's log at 7 MB/s
 * under a connection flood (issue 18, hole 8).
 */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Kind> kinds = new HashMap<>();

    private static final class Kind {
        long lastLogged;
        long suppressed;
    }

    RateLimitedLog(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    RateLimitedLog(Logger log, Duration interval, LongSupplier nanoClock) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * Logs {@code message} as a warning unless one of the same {@code kind} was logged less than an
     * interval ago. Returns whether it was logged.
     */
    boolean warn(String kind, String message) {
        long suppressed;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            Kind k = kinds.get(kind);
            if (k != null && now - k.lastLogged < intervalNanos) {
                k.suppressed++;
                return false;
            }
            if (k == null) {
                k = new Kind();
                kinds.put(kind, k);
            }
            k.lastLogged = now;
            suppressed = k.suppressed;
            k.suppressed = 0;
        }
        if (suppressed > 0) {
            log.warn("{} ({} more like it in the last {} s not logged)", message, suppressed,
                    Math.max(1, intervalNanos / 1_000_000_000L));
        } else {
            log.warn("{}", message);
        }
        return true;
    }
}
