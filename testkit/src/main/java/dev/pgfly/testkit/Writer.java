package dev.pgfly.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Inserts numbered rows through the proxy, one per transaction, and records which inserts were
 * acknowledged (commit returned) — the rows a database must never lose — and the longest time
 * between two acknowledged writes (the write unavailability the client saw).
 */
public final class Writer implements AutoCloseable {
    private final String url;
    private final String table;
    private final Set<Long> acknowledged = new ConcurrentSkipListSet<>();
    private final AtomicLong next = new AtomicLong(1);
    private final AtomicLong failures = new AtomicLong();
    private final List<Long> gapsMillis = new ArrayList<>();
    private volatile boolean running = true;
    private volatile long lastAckAt;
    private volatile long longestGapMillis;
    private final Thread thread;

    public Writer(String url) throws SQLException {
        this(url, "writes");
    }

    /** A writer into its own table, beside another writer of the same cluster. */
    public Writer(String url, String table) throws SQLException {
        this.url = url;
        this.table = dev.pgfly.core.util.Names.requireIdentifier("table", table);
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + table + " (id bigint PRIMARY KEY, at timestamptz DEFAULT now())");
        }
        lastAckAt = System.currentTimeMillis();
        thread = Thread.ofPlatform().name("writer").start(this::loop);
    }

    private void loop() {
        Connection c = null;
        while (running) {
            long id = next.getAndIncrement();
            try {
                if (c == null) {
                    c = Db.connect(url, 3);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id) VALUES (?)")) {
                    ps.setQueryTimeout(10);
                    ps.setLong(1, id);
                    ps.executeUpdate();
                }
                long now = System.currentTimeMillis();
                acknowledged.add(id);
                long gap = now - lastAckAt;
                if (gap > longestGapMillis) {
                    longestGapMillis = gap;
                }
                if (gap > 500) {
                    synchronized (gapsMillis) {
                        gapsMillis.add(gap);
                    }
                }
                lastAckAt = now;
                sleep(5);
            } catch (SQLException e) {
                failures.incrementAndGet();
                closeQuietly(c);
                c = null;
                sleep(50);
            }
        }
        closeQuietly(c);
    }

    /** Waits until at least {@code count} more writes were acknowledged (the cluster takes writes again). */
    public boolean awaitMoreAcks(int count, long timeoutMillis) {
        int target = acknowledged.size() + count;
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (acknowledged.size() >= target) {
                return true;
            }
            sleep(20);
        }
        return false;
    }

    public Set<Long> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    /** The rows the database holds now, through {@code url}: what a test compares with {@link #acknowledged()}. */
    public static Set<Long> stored(String url) throws SQLException {
        return stored(url, "writes");
    }

    /** The rows of {@code table} the database holds now, through {@code url}. */
    public static Set<Long> stored(String url, String table) throws SQLException {
        Set<Long> present = new java.util.HashSet<>();
        try (Connection c = Db.connect(url); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT id FROM " + dev.pgfly.core.util.Names.requireIdentifier("table", table))) {
            while (rs.next()) {
                present.add(rs.getLong(1));
            }
        }
        return present;
    }

    public long longestGapMillis() {
        return longestGapMillis;
    }

    public void resetGap() {
        lastAckAt = System.currentTimeMillis();
        longestGapMillis = 0;
    }

    public long failures() {
        return failures.get();
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken connection
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
