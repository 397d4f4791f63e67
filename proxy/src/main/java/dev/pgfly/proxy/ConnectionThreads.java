package dev.pgfly.proxy;

import java.util.concurrent.ThreadFactory;

/**
 * The threads that serve client connections: one per direction of each connection, blocking I/O.
 * Virtual threads by default: a plain copy loop per direction stays readable, and thousands of idle
 * clients cost a few kilobytes each instead of an OS thread each. Platform threads can be chosen
 * ({@code -Dpgfly.proxy.threads=platform}) so that {@code bench/proxy} can measure both on the same
 * machine; see the README's benchmark figures for why virtual threads stay the default.
 */
final class ConnectionThreads {
    static final String PROPERTY = "pgfly.proxy.threads";

    private static final ThreadFactory FACTORY = "platform".equals(System.getProperty(PROPERTY))
            ? Thread.ofPlatform().name("conn-", 0).daemon(true).factory()
            : Thread.ofVirtual().name("conn-", 0).factory();

    private ConnectionThreads() {
    }

    static Thread start(Runnable task) {
        Thread t = FACTORY.newThread(task);
        t.start();
        return t;
    }

    static String kind() {
        return "platform".equals(System.getProperty(PROPERTY)) ? "platform" : "virtual";
    }
}
