package dev.pgfly.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Every 100 ms asks every member directly whether it accepts writes (answers and is not in
 * recovery), from its own source address (127.0.0.2) so that partition rules let it through,
 * and records every moment at which more than one member did.
 */
public final class WritableProbe implements AutoCloseable {
    public static final String SOURCE_ADDRESS = "127.0.0.2";

    public record Member(String name, String host, int port) {
    }

    private final List<Member> members;
    private final String password;
    private final List<String> splitBrains = new ArrayList<>();
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running = true;
    private final Thread thread;
    private int samples;

    private final String sourceAddress;

    public WritableProbe(List<Member> members, String password) {
        this(members, password, SOURCE_ADDRESS);
    }

    /** @param sourceAddress the address probes connect from (null: the kernel's choice, e.g. to namespace hosts) */
    public WritableProbe(List<Member> members, String password, String sourceAddress) {
        this.members = List.copyOf(members);
        this.password = password;
        this.sourceAddress = sourceAddress;
        this.thread = Thread.ofPlatform().name("writable-probe").start(this::loop);
    }

    private void loop() {
        while (running) {
            long started = System.currentTimeMillis();
            List<Future<Boolean>> answers = new ArrayList<>();
            for (Member m : members) {
                answers.add(pool.submit(() -> acceptsWrites(m)));
            }
            TreeSet<String> writable = new TreeSet<>();
            for (int i = 0; i < members.size(); i++) {
                try {
                    if (answers.get(i).get(3, TimeUnit.SECONDS)) {
                        writable.add(members.get(i).name());
                    }
                } catch (Exception e) {
                    // no answer: not accepting writes as far as a client can tell
                }
            }
            synchronized (this) {
                samples++;
                if (writable.size() > 1) {
                    splitBrains.add(started + ": " + writable);
                }
            }
            long spent = System.currentTimeMillis() - started;
            if (spent < 100) {
                try {
                    Thread.sleep(100 - spent);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private boolean acceptsWrites(Member m) {
        try (Connection c = Db.direct(m.host(), m.port(), password, 1, sourceAddress);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT NOT pg_is_in_recovery()")) {
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException e) {
            return false;
        }
    }

    public synchronized List<String> splitBrains() {
        return List.copyOf(splitBrains);
    }

    public synchronized int samples() {
        return samples;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
        pool.shutdownNow();
    }

    public static List<Member> of(tools.jackson.databind.JsonNode status) {
        List<Member> list = new ArrayList<>();
        for (tools.jackson.databind.JsonNode m : status.get("members")) {
            list.add(new Member(m.get("name").asString(), m.get("host").asString(), m.get("port").asInt()));
        }
        return list;
    }
}
