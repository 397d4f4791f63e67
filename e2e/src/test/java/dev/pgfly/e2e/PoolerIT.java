package dev.pgfly.e2e;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.pgfly.testkit.Processes.kill;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A synchronous ha cluster with its PgBouncer (transaction pooling, the ha default). 50 pooled clients (plain JDBC,
 * each a loop of short autocommit INSERTs that records every acknowledged id) and {@code pgbench -c 8 -T 45}
 * run through the pooled URL across two planned switchovers: no client sees an error and pgbench aborts no
 * client. Then the primary's agent and PostgreSQL are killed: the clients' connections to PgBouncer survive,
 * only the transactions in flight fail (counted and printed), and no acknowledged id is lost.
 */
class PoolerIT {
    private static final String CLUSTER = "pooled";
    private static final int CLIENTS = 50;
    private static final String PGBENCH = "/usr/lib/postgresql/15/bin/pgbench";
    private static Pgfly pgfly;
    private static String pooledUrl;
    private static String directUrl;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        long started = System.nanoTime();
        // Synchronous: an unplanned failover then loses no acknowledged write (S2), which the kill checks.
        pgfly.ok("create", CLUSTER, "--config", "ha", "--sync");
        System.out.printf("create ha with the pooler: %.2f s%n", (System.nanoTime() - started) / 1e9);
        pooledUrl = pgfly.ok("url", CLUSTER, "--pooled", "--no-verify").out().strip();
        directUrl = pgfly.ok("url", CLUSTER, "--no-verify").out().strip();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (pgfly != null) {
            pgfly.close();
            assertThat(pgfly.processes()).isEmpty();
        }
    }

    /** One pooled client's connection: PgJDBC with unnamed statements, which transaction pooling needs. */
    private static Connection pooled(int timeoutSeconds) throws SQLException {
        Properties p = new Properties();
        p.setProperty("socketTimeout", "60");
        // Named server-side statements do not survive a server connection change (PgBouncer 1.18).
        p.setProperty("prepareThreshold", "0");
        p.setProperty("ApplicationName", "pooler-it");
        return Db.connect(pooledUrl, timeoutSeconds, p);
    }

    /** A client error: when, which client, and whether its connection to PgBouncer was lost with it. */
    record ClientError(long at, int client, String message, boolean connectionLost, boolean connecting) {
    }

    /** 50 loops of short autocommit INSERTs through the pooler. */
    static final class Clients implements AutoCloseable {
        final Set<Long> acknowledged = new ConcurrentSkipListSet<>();
        final ConcurrentLinkedQueue<ClientError> errors = new ConcurrentLinkedQueue<>();
        final AtomicLong next = new AtomicLong(1);
        final AtomicLong reconnects = new AtomicLong();
        private volatile boolean running = true;
        private final List<Thread> threads = new ArrayList<>();

        Clients(int count) {
            for (int i = 0; i < count; i++) {
                int client = i;
                threads.add(Thread.ofPlatform().name("pooled-" + i).daemon().start(() -> loop(client)));
            }
        }

        private void loop(int client) {
            Connection c = null;
            while (running) {
                long id = next.getAndIncrement();
                try {
                    if (c == null) {
                        c = pooled(5);
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO pooled_writes (id, client) VALUES (?, ?)")) {
                        ps.setLong(1, id);
                        ps.setInt(2, client);
                        ps.executeUpdate();
                    }
                    acknowledged.add(id);
                    Thread.sleep(20);
                } catch (SQLException e) {
                    boolean connecting = c == null;
                    boolean lost = connecting || !valid(c);
                    errors.add(new ClientError(System.currentTimeMillis(), client,
                            String.valueOf(e.getMessage()).lines().findFirst().orElse(""), lost, connecting));
                    if (lost) {
                        closeQuietly(c);
                        c = null;
                        reconnects.incrementAndGet();
                    }
                    sleepQuietly(100);
                } catch (InterruptedException e) {
                    break;
                }
            }
            closeQuietly(c);
        }

        long errorsBetween(long from, long to) {
            return errors.stream().filter(e -> e.at() >= from && e.at() < to).count();
        }

        boolean awaitAcks(long more, long timeoutMillis) throws InterruptedException {
            long target = acknowledged.size() + more;
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (acknowledged.size() < target && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            return acknowledged.size() >= target;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.join(15_000);
            }
        }

        private static boolean valid(Connection c) {
            try {
                return c.isValid(3);
            } catch (SQLException e) {
                return false;
            }
        }

        private static void closeQuietly(Connection c) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // the connection is gone already
                }
            }
        }

        private static void sleepQuietly(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void pooledClientsRideThroughSwitchoversAndSurviveAPrimaryKill() throws Exception {
        long testStarted = System.nanoTime();
        try (Connection c = pooled(5); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pooled_writes (id bigint PRIMARY KEY, client int, at timestamptz DEFAULT now())");
        }
        initPgbench();
        JsonNode status = pgfly.status(CLUSTER);
        assertThat(status.get("proxy").get("pooled").asString()).as("status shows the pooled port").contains(":");
        assertThat(status.get("proxy").get("pool_mode").asString()).isEqualTo("transaction");

        try (Clients clients = new Clients(CLIENTS)) {
            assertThat(clients.awaitAcks(500, 30_000)).as("pooled clients write").isTrue();
            Process pgbench = startPgbench();

            List<String> events = new ArrayList<>();
            List<long[]> windows = new ArrayList<>();
            for (int round = 1; round <= 2; round++) {
                Thread.sleep(8_000);
                String before = leader();
                long from = System.currentTimeMillis();
                Pgfly.Result r = pgfly.ok("failover", CLUSTER);
                assertThat(clients.awaitAcks(200, 30_000)).as("writes after switchover " + round).isTrue();
                long to = System.currentTimeMillis();
                windows.add(new long[] {from, to});
                String after = leader();
                assertThat(after).as("switchover " + round + " moved the primary").isNotEqualTo(before);
                events.add("switchover " + round + " (" + before + " -> " + after + ", " + (to - from) + " ms): "
                        + clients.errorsBetween(from, to) + " client errors; " + r.out().strip());
            }
            PgbenchResult bench = awaitPgbench(pgbench);
            long switchoverErrors = clients.errors.size();
            long reconnectsBeforeKill = clients.reconnects.get();

            // Unplanned: the primary's agent and PostgreSQL die at once (a crashed member).
            JsonNode primary = primaryMember();
            long killFrom = System.currentTimeMillis();
            kill(primary.get("agent_pid").asLong());
            kill(primary.get("postgres_pid").asLong());
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> !leader().equals(primary.get("name").asString()));
            assertThat(clients.awaitAcks(500, 60_000)).as("writes after the kill").isTrue();
            long killTo = System.currentTimeMillis();
            long killErrors = clients.errorsBetween(killFrom, killTo);
            long killConnectErrors = clients.errors.stream().filter(e -> e.at() >= killFrom && e.at() < killTo)
                    .filter(ClientError::connecting).count();
            long killReconnects = clients.reconnects.get() - reconnectsBeforeKill;
            events.add("kill -9 agent and postgres of " + primary.get("name").asString() + " (" + (killTo - killFrom)
                    + " ms until 500 more acks): " + killErrors + " client errors (" + (killErrors - killConnectErrors)
                    + " transactions in flight, " + killConnectErrors + " reconnections refused), " + killReconnects
                    + " client connections to PgBouncer lost of " + CLIENTS);

            clients.close();
            System.out.println("PoolerIT events:");
            events.forEach(e -> System.out.println("  " + e));
            clients.errors.stream().filter(e -> e.at() >= killFrom).map(ClientError::message).distinct().limit(5)
                    .forEach(m -> System.out.println("  kill error: " + m));
            System.out.println("  pgbench: exit " + bench.exit() + ", " + bench.summary());

            assertThat(clients.errors.stream().filter(e -> e.at() < killFrom).map(ClientError::message).toList())
                    .as("client errors across the two switchovers").isEmpty();
            assertThat(switchoverErrors).isZero();
            assertThat(bench.exit()).as("pgbench across a switchover: " + bench.output()).isZero();
            assertThat(bench.output()).doesNotContain("aborted");

            Set<Long> stored = storedIds();
            Set<Long> lost = new HashSet<>(clients.acknowledged);
            lost.removeAll(stored);
            System.out.printf("  acknowledged %d, lost %d%n", clients.acknowledged.size(), lost.size());
            assertThat(lost).as("acknowledged ids missing on the final primary").isEmpty();
        }
        assertThat(metricsText()).contains("pgbouncer_pools_client_active_connections").contains("pgbouncer_up 1.0")
                .contains("pgbouncer_stats_sql_transactions_pooled_total");
        System.out.printf("PoolerIT: %.1f s (after create)%n", (System.nanoTime() - testStarted) / 1e9);
    }

    record PgbenchResult(int exit, String output) {
        String summary() {
            return output.lines().filter(l -> l.startsWith("number of") || l.startsWith("tps") || l.contains("abort"))
                    .reduce((a, b) -> a + "; " + b).orElse("");
        }
    }

    private static void initPgbench() throws Exception {
        Process p = pgbench(List.of("-i", "-s", "1", "-q"), directUrl);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }

    /**
     * pgbench -c 8 -T 45 through the pooled port; simple query protocol (PgBouncer's transaction pooling). The two
     * switchovers begin 8 s apart and each took 3 to 4 s here: 45 s spans both with room on a loaded host.
     */
    private static Process startPgbench() throws Exception {
        // -R: a steady rate, so that two small cores still run the cluster, its switchovers and 50 other clients.
        return pgbench(List.of("-c", "8", "-j", "2", "-T", "45", "-R", "150", "-P", "10"), pooledUrl);
    }

    private static Process pgbench(List<String> args, String url) throws Exception {
        URI u = URI.create(url);
        String[] userInfo = u.getUserInfo().split(":", 2);
        List<String> cmd = new ArrayList<>(List.of(PGBENCH, "-h", u.getHost(), "-p", Integer.toString(u.getPort()),
                "-U", userInfo[0]));
        cmd.addAll(args);
        cmd.add(u.getPath().substring(1));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // The password in the environment, never on the command line (which every local user can read).
        pb.environment().put("PGPASSWORD", userInfo[1]);
        pb.environment().put("PGSSLMODE", "require");
        return pb.start();
    }

    private static PgbenchResult awaitPgbench(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new PgbenchResult(p.exitValue(), out);
    }

    private static String leader() {
        return pgfly.statusFromDaemon(CLUSTER).get("leader").asString();
    }

    private static JsonNode primaryMember() {
        return pgfly.primaryMember(CLUSTER);
    }

    private static Set<Long> storedIds() throws Exception {
        Set<Long> ids = new HashSet<>();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            ids.clear();
            try (Connection c = dev.pgfly.testkit.Db.connect(directUrl, 5); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id FROM pooled_writes")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        });
        return ids;
    }

    private static String metricsText() throws Exception {
        String url = pgfly.status(CLUSTER).get("proxy").get("metrics").asString();
        var client = java.net.http.HttpClient.newHttpClient();
        return client.send(java.net.http.HttpRequest.newBuilder(URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}
