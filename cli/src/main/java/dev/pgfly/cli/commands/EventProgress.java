package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.model.Event;
import dev.pgfly.node.home.PgflyHome;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * The steps of a long operation (create, member add, restart, upgrade) as they happen, on stderr: while the request
 * runs, the cluster's events are polled and each new one is printed ("m2 clone: ..."). The agents and the daemon
 * record these events anyway, so the user sees the same story {@code pgfly events} tells later, not a second one.
 * Shown when stderr is a terminal (or {@code PGFLY_PROGRESS=1}), never with {@code --json}: a script reading a
 * failure's one-line reason on stderr gets that line alone.
 */
final class EventProgress implements ProgressSteps {
    /** Events of another host's node may carry a clock a little behind ours. */
    private static final long CLOCK_SLACK_MILLIS = 2_000;
    private static final long POLL_MILLIS = 500;

    private final String path;
    private final PrintStream out;
    private final long started = System.currentTimeMillis();
    /** Touched by the poller and by close()'s last poll, should the poller outlive its join. */
    private final Set<String> shown = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Thread poller;
    private volatile boolean done;

    private EventProgress(String clusterPath, PrintStream out) {
        this.path = clusterPath + "/events?limit=100";
        this.out = out;
        this.poller = Thread.ofVirtual().name("progress").start(this::run);
    }

    /** @return a progress printer, or a silent one with {@code json} */
    static ProgressSteps show(String clusterPath, boolean json) {
        return json || !wanted() ? () -> { } : new EventProgress(clusterPath, System.err);
    }

    private static boolean wanted() {
        if ("1".equals(System.getenv("PGFLY_PROGRESS"))) {
            return true;
        }
        try {
            String stderr = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return stderr.startsWith("/dev/pts/") || stderr.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private void run() {
        DaemonClient daemon;
        try {
            daemon = connected();
        } catch (RuntimeException e) {
            return; // the command itself reports what went wrong with the daemon
        }
        while (!done) {
            poll(daemon);
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void poll(DaemonClient daemon) {
        List<Event> events;
        try {
            events = daemon.convertList(daemon.get(path), Event.class);
        } catch (RuntimeException e) {
            return; // not there yet (a cluster being created), or the node is busy: the next poll tells
        }
        for (Event e : events) {
            String key = e.time() + "|" + e.kind() + "|" + e.member() + "|" + e.reason();
            if (e.time() >= started - CLOCK_SLACK_MILLIS && shown.add(key)) {
                out.printf("  %5.1f s  %s%s: %s%n", Math.max(0, e.time() - started) / 1000.0,
                        e.member() == null ? "" : e.member() + " ", e.kind(), e.reason());
            }
        }
    }

    @Override
    public void close() {
        done = true;
        poller.interrupt();
        try {
            poller.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // The operation ended between two polls: its last steps are shown before its result.
        try {
            poll(connected());
        } catch (RuntimeException e) {
            // nothing more to show
        }
    }

    /** A client of its own (the command's waits on its request); the command has started the daemon already. */
    private static DaemonClient connected() {
        return new DaemonClient(PgflyHome.resolve()).ensureRunning();
    }
}
