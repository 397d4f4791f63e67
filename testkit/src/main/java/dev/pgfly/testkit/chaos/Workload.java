package dev.pgfly.testkit.chaos;

import dev.pgfly.testkit.Db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Clients that run transactions through the proxy until stopped, each recording every operation in
 * the shared history. A client reconnects after any error, as an application with a pool would.
 */
abstract class Workload implements AutoCloseable {
    protected final String url;
    protected final History history;
    private final List<Thread> clients = new ArrayList<>();
    private volatile boolean running = true;

    Workload(String url, History history) {
        this.url = url;
        this.history = history;
    }

    abstract void setUp(Connection c) throws SQLException;

    /** One operation on a healthy connection; records itself; throws only to ask for a new connection. */
    abstract void step(int client, Connection c, Random random) throws SQLException;

    void start(int clientCount, long seed) throws SQLException {
        try (Connection c = Db.connect(url, 10)) {
            setUp(c);
        }
        for (int i = 0; i < clientCount; i++) {
            int client = i;
            Random random = new Random(seed * 31 + i);
            clients.add(Thread.ofPlatform().name(getClass().getSimpleName() + "-" + i).start(() -> run(client, random)));
        }
    }

    private void run(int client, Random random) {
        Connection c = null;
        while (running) {
            try {
                if (c == null) {
                    c = Db.connect(url, 3);
                }
                step(client, c, random);
                pause(5 + random.nextInt(10));
            } catch (SQLException e) {
                closeQuietly(c);
                c = null;
                pause(50);
            }
        }
        closeQuietly(c);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken already
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : clients) {
            t.join(60_000);
        }
    }
}
