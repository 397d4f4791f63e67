package dev.pgfly.node.pooler;

import dev.pgfly.proxy.pooler.PgBouncerConsole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The poolers of a cluster held around a planned switchover (S5): PAUSE lets every transaction in flight
 * finish, closes PgBouncer's server connections (all of them to the primary about to stop) and holds the
 * clients' next queries; RESUME, once the new primary serves through the proxy, lets them go on, over new
 * server connections. The clients see a pause and no error.
 *
 * <p>Bounded: a pooler that cannot pause within {@code bound} (a long transaction, or session pooling
 * whose clients keep their server connections) is RESUMEd at once and the switchover goes on without it,
 * saying so in an event: a pooler never holds up a switchover, and never holds its clients past it.
 */
public final class PoolerPause implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolerPause.class);

    /** One pooler's console, as far as a pause needs it ({@link PgBouncerConsole}; a fake in tests). */
    public interface Console {
        String address();

        void pause(Duration bound) throws SQLException;

        void resume() throws SQLException;

        static Console of(PgBouncerConsole c) {
            return new Console() {
                @Override
                public String address() {
                    return c.address();
                }

                @Override
                public void pause(Duration bound) throws SQLException {
                    c.pause(bound);
                }

                @Override
                public void resume() throws SQLException {
                    c.resume();
                }
            };
        }
    }

    /** What became of one pooler's PAUSE. */
    public record Outcome(String pooler, boolean paused, long millis, String problem) {
    }

    private final List<Console> consoles;
    private final List<Outcome> outcomes;
    private final long pausedAtNanos = System.nanoTime();
    private boolean resumed;

    private PoolerPause(List<Console> consoles, List<Outcome> outcomes) {
        this.consoles = consoles;
        this.outcomes = outcomes;
    }

    /** How long the poolers have held their clients so far (since the last of them paused). */
    public long heldMillis() {
        return (System.nanoTime() - pausedAtNanos) / 1_000_000;
    }

    /** Nothing to pause: a cluster without a pooler. */
    public static PoolerPause none() {
        return new PoolerPause(List.of(), List.of());
    }

    /**
     * PAUSEs every pooler at once and waits for them, at most {@code bound} each.
     *
     * @param events hears {@code (kind, text)} of each pooler that could not pause in time
     */
    public static PoolerPause pause(List<Console> consoles, Duration bound, BiConsumer<String, String> events) {
        List<CompletableFuture<Outcome>> pending = new ArrayList<>();
        for (Console console : consoles) {
            pending.add(CompletableFuture.supplyAsync(() -> pauseOne(console, bound),
                    r -> Thread.ofVirtual().name("pooler-pause").start(r)));
        }
        List<Outcome> outcomes = pending.stream().map(CompletableFuture::join).toList();
        PoolerPause pause = new PoolerPause(consoles, outcomes);
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            if (!o.paused()) {
                // Ends a PAUSE still waiting, so that this pooler's clients are not held through the handover. In
                // the background: a pooler whose host does not answer costs two connect timeouts here (10 s seen),
                // and the poolers that did pause hold their clients until the switchover resumes them.
                Console failed = consoles.get(i);
                Thread.ofVirtual().name("pooler-resume-" + failed.address()).start(() -> resumeOne(failed));
                events.accept("pooler-pause-skipped", "pooler " + o.pooler() + " did not pause within "
                        + bound.toSeconds() + " s (" + o.problem() + "); the switchover goes on without it:"
                        + " its clients' transactions in flight on the former primary may fail");
            } else {
                log.info("pooler {} paused in {} ms", o.pooler(), o.millis());
            }
        }
        return pause;
    }

    private static Outcome pauseOne(Console console, Duration bound) {
        long started = System.nanoTime();
        try {
            console.pause(bound);
            return new Outcome(console.address(), true, (System.nanoTime() - started) / 1_000_000, null);
        } catch (SQLException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            return new Outcome(console.address(), false, (System.nanoTime() - started) / 1_000_000, why);
        }
    }

    public List<Outcome> outcomes() {
        return outcomes;
    }

    /** Whether at least one pooler holds its clients now. */
    public boolean anyPaused() {
        return !resumed && outcomes.stream().anyMatch(Outcome::paused);
    }

    /** Lets the clients go on (idempotent); every pooler that paused is told, whatever became of the others. */
    public void resume() {
        if (resumed) {
            return;
        }
        resumed = true;
        for (int i = 0; i < consoles.size(); i++) {
            if (outcomes.get(i).paused()) {
                resumeOne(consoles.get(i));
            }
        }
    }

    private static void resumeOne(Console console) {
        // A restarted PgBouncer is not paused; a failed RESUME is retried once, then logged (PgBouncer's
        // own query_wait_timeout still frees the clients in the worst case).
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                console.resume();
                return;
            } catch (SQLException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("not paused")) {
                    return;
                }
                log.warn("RESUME of pooler {} failed (attempt {}): {}", console.address(), attempt, m);
            }
        }
    }

    @Override
    public void close() {
        resume();
    }
}
