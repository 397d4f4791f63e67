package dev.pgfly.proxy.pooler;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.PoolerStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Drives the PgBouncer next to this proxy through planned switchovers ({@link PauseDecision}): watches the
 * store's pause request, PAUSEs and RESUMEs PgBouncer through its console, and publishes whether it is
 * paused so that the switchover waits for it. Runs in the proxy process, which watches the store already.
 */
public final class PoolerController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolerController.class);
    private static final long TICK_MILLIS = 500;

    private final ClusterStore store;
    private final PgBouncerConsole console;
    private final String id;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pooler-controller");
        t.setDaemon(true);
        return t;
    });
    private PauseDecision.State state = PauseDecision.State.RUNNING;
    /** The pause request PgBouncer confirmed (its PAUSE returned), 0 when none. */
    private long confirmed;
    private PoolerStatus published;

    public PoolerController(ClusterStore store, PgBouncerConsole console, String id) {
        this.store = store;
        this.console = console;
        this.id = id;
    }

    public void start() {
        // A proxy that died while its PgBouncer was paused leaves it paused: let its clients go on.
        if (store.poolerPauseRequestedAt() == 0) {
            resumeQuietly();
        }
        store.onChange(() -> ticks.execute(this::evaluate));
        ticks.scheduleWithFixedDelay(this::evaluate, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void evaluate() {
        try {
            long request = store.poolerPauseRequestedAt();
            PauseDecision.Step step = PauseDecision.decide(state, request, System.currentTimeMillis());
            state = step.next();
            switch (step.action()) {
                case PAUSE -> pauseInBackground(state.pausedFor());
                case RESUME -> {
                    log.info("resuming the pooler (pause request {} {})", request == 0 ? "cleared" : "timed out",
                            request);
                    confirmed = 0;
                    resumeQuietly();
                }
                case NONE -> { }
            }
            publish(request);
        } catch (RuntimeException e) {
            log.warn("pooler controller: {}", e.toString());
        }
    }

    /**
     * PAUSE returns once the transactions in flight have finished: off the controller's thread, so that a
     * cleared request or the time limit can still RESUME meanwhile.
     */
    private void pauseInBackground(long request) {
        log.info("pausing the pooler for a planned switchover (request {})", request);
        Thread.ofVirtual().name("pooler-pause").start(() -> {
            long started = System.currentTimeMillis();
            try {
                console.pause();
            } catch (SQLException e) {
                log.warn("PAUSE failed: {}", e.toString());
                return;
            }
            synchronized (this) {
                if (state.pausedFor() == request) {
                    confirmed = request;
                    log.info("pooler paused after {} ms", System.currentTimeMillis() - started);
                    publish(store.poolerPauseRequestedAt());
                } else {
                    // Resumed while PAUSE waited: that RESUME may have come first, so say it again.
                    resumeQuietly();
                }
            }
        });
    }

    private void publish(long request) {
        PoolerStatus now = new PoolerStatus(id, confirmed != 0 && PauseDecision.pausedFor(state, request) && confirmed == request,
                request);
        if (!now.equals(published)) {
            store.publishPooler(now);
            published = now;
        }
    }

    private void resumeQuietly() {
        try {
            console.resume();
        } catch (SQLException e) {
            // "pooler is not paused/suspended" when it was running: nothing to do
            log.debug("RESUME: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}
