package dev.pgfly.agent.ha;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.postgres.MonotonicClock;
import dev.pgfly.postgres.PgInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the watchdog lease fresh while this member leads, on its own thread so that a slow HA loop
 * cannot let it lapse and a dead or frozen agent cannot extend it.
 *
 * <p>Each renewal first proves leadership with a read from the coordination store, then writes a
 * deadline {@code lease} after the moment of that proof. The session cannot expire on the server
 * before {@code proof + sessionTimeout}, so with {@code lease < sessionTimeout} the watchdog stops a
 * primary that has lost contact before any other member can be elected.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final ClusterStore store;
    private final PgInstance pg;
    private final String member;
    private final Duration lease;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("lease-keeper").daemon(true).factory());
    private volatile boolean leading;

    public LeaseKeeper(ClusterStore store, PgInstance pg, String member, Duration lease) {
        this.store = store;
        this.pg = pg;
        this.member = member;
        this.lease = lease;
        long period = Math.max(100, lease.toMillis() / 5);
        timer.scheduleWithFixedDelay(this::renewQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    /** Proves leadership now and extends the lease; false when leadership could not be proven. */
    public synchronized boolean renew() {
        if (!leading) {
            return false;
        }
        try {
            // The deadline is on the watchdog's clock (/proc/uptime): monotonic, so a wall-clock step
            // backwards cannot extend it. Taken before the proof, so the lease never outlasts it.
            long provenAt = MonotonicClock.millis();
            if (!store.isConnected() || !store.holdsLeadership(member)) {
                return false;
            }
            pg.lease().write(provenAt + lease.toMillis());
            return true;
        } catch (RuntimeException | IOException e) {
            log.warn("lease not renewed: {}", e.toString());
            return false;
        }
    }

    private void renewQuietly() {
        renew();
    }

    /** Starts renewing; returns whether the first renewal succeeded (call before making PostgreSQL writable). */
    public boolean startLeading() {
        leading = true;
        return renew();
    }

    /** Stops renewing at once; the lease runs out on its own unless {@link #clear()} follows. */
    public void stopLeading() {
        leading = false;
    }

    public boolean isLeading() {
        return leading;
    }

    /** Marks PostgreSQL as nothing to fence; only once it is stopped or a standby. */
    public synchronized void clear() {
        if (leading) {
            return;
        }
        try {
            pg.lease().write(0);
        } catch (IOException e) {
            log.warn("could not clear the lease: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
