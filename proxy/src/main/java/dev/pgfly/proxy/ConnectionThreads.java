package dev.pgfly.proxy;

import java.util.concurrent.ThreadFactory;

/**
 * The proxy's threads, blocking I/O throughout.
 *
 * <p>A client waits for its first message, for a route and for a wake-up on a virtual thread: a
 * client that connects and says nothing, or waits for a primary, costs a few kilobytes, so thousands
 * of them are cheap. Once piped, each direction of a connection gets a platform thread: measured with
 * {@code bench/proxy} on this project's 2-core machine (pgbench, PostgreSQL and the proxy sharing the
 * cores), platform pipes were faster in every mode and client count, e.g. select-only at 8 clients
 * 66% of a direct connection against 54% with virtual pipes, TPC-B-like at 32 clients 102% against
 * 76%. The pipes block on every small message, and a virtual thread pays a park, a poller wake-up and
 * a remount on a carrier each time. Piped connections are bounded by
 * PostgreSQL's max_connections, so two platform threads with small stacks each stay affordable.
 * {@code -Dpgfly.proxy.threads=virtual} pipes on virtual threads instead, for comparison.
 */
final class ConnectionThreads {
    static final String PROPERTY = "pgfly.proxy.threads";
    private static final long PIPE_STACK_BYTES = 256 * 1024;

    private static final boolean VIRTUAL_PIPES = "virtual".equals(System.getProperty(PROPERTY));

    private static final ThreadFactory WAITING = Thread.ofVirtual().name("client-", 0).factory();
    private static final ThreadFactory PIPES = VIRTUAL_PIPES
            ? Thread.ofVirtual().name("pipe-", 0).factory()
            : Thread.ofPlatform().name("pipe-", 0).daemon(true).stackSize(PIPE_STACK_BYTES).factory();

    private ConnectionThreads() {
    }

    /** Serves a new client until it is piped (or refused). */
    static Thread startClient(Runnable task) {
        return start(WAITING, task);
    }

    /** Copies one direction of a piped connection. */
    static Thread startPipe(Runnable task) {
        return start(PIPES, task);
    }

    private static Thread start(ThreadFactory factory, Runnable task) {
        Thread t = factory.newThread(task);
        t.start();
        return t;
    }

    static String kind() {
        return VIRTUAL_PIPES ? "virtual" : "platform";
    }
}
