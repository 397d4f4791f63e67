package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.ScheduledOperation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs operations scheduled with {@code --at} when they fall due. Every node of an installation runs one: each
 * second it reads every cluster's {@code scheduled/} nodes, and the node that takes a due operation (a
 * conditional delete, {@link ClusterStore#takeScheduled}) runs it, once, even if the node that took the request
 * is gone. What happens is recorded as events: {@code scheduled-started}, then {@code scheduled-done} or
 * {@code scheduled-failed} with the reason (a paused cluster, no primary, a refused target...). An operation is
 * not retried: a switchover refused at 03:00 must not happen by surprise at 09:00.
 */
final class ScheduledRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScheduledRunner.class);

    /** The operations themselves, as the CLI's requests run them. */
    interface Operations {
        /** The names of the installation's clusters. */
        List<String> clusters();

        /** @return the new primary */
        String switchover(String cluster, String to) throws Exception;

        /** @return a one-line summary of what was restarted */
        String restart(String cluster, boolean force, String member) throws Exception;
    }

    private final Operations operations;
    private final ClusterStores stores;
    private final String nodeName;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("scheduled-operations").daemon(true).factory());
    /** Operations run beside the timer: a rolling restart takes minutes, other clusters' operations may not wait. */
    private final ExecutorService running = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("scheduled-", 1).factory());

    ScheduledRunner(Operations operations, ClusterStores stores, String nodeName) {
        this.operations = operations;
        this.stores = stores;
        this.nodeName = nodeName;
    }

    void start() {
        start(java.time.Duration.ofSeconds(1));
    }

    void start(java.time.Duration every) {
        timer.scheduleWithFixedDelay(this::tick, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        long now = System.currentTimeMillis();
        for (String name : operations.clusters()) {
            try (ClusterStore store = stores.open(name)) {
                for (ScheduledOperation op : ClusterSchedule.pending(store)) {
                    if (op.dueAt(now) && store.takeScheduled(op)) {
                        running.execute(() -> run(name, op));
                    }
                }
            } catch (RuntimeException e) {
                log.debug("{}: scheduled operations not read: {}", name, e.toString());
            }
        }
    }

    private void run(String cluster, ScheduledOperation op) {
        stores.record(cluster, "scheduled-started", op.member(), "node " + nodeName + " runs the " + op.describe()
                + " (requested on node " + op.requestedOn() + ")");
        log.info("{}: running the {}", cluster, op.describe());
        try {
            String result = switch (op.kind()) {
                case SWITCHOVER -> "switched over: " + operations.switchover(cluster, op.to()) + " is the primary";
                case RESTART -> operations.restart(cluster, op.force(), op.member());
            };
            stores.record(cluster, "scheduled-done", op.member(), op.describe() + ": " + result);
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            log.warn("{}: the {} failed: {}", cluster, op.describe(), reason);
            stores.record(cluster, "scheduled-failed", op.member(), op.describe() + " failed: " + reason);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        running.shutdownNow();
    }
}
