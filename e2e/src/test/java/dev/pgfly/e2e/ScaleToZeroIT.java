package dev.pgfly.e2e;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A dev cluster that scales to zero: PostgreSQL stops after the idle timeout, a client connection
 * through the proxy starts it again (once, however many clients arrive together), and a wake-up that
 * cannot start PostgreSQL reaches the client as a PostgreSQL error, not a bare disconnect.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleToZeroIT {
    private static final String CLUSTER = "lazy";
    private static Pgfly pgfly;
    private static String url;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        pgfly.ok("create", CLUSTER, "--scale-to-zero", "--idle-timeout", "3s");
        url = pgfly.ok("url", CLUSTER).out().strip();
    }

    @AfterAll
    static void tearDown() throws Exception {
        pgfly.close();
        assertThat(pgfly.processes()).as("processes left behind").isEmpty();
    }

    @Test
    @Order(1)
    void stopsWhenIdleAndSaysSo() {
        JsonNode idle = awaitIdle();
        JsonNode m1 = idle.get("members").get(0);
        assertThat(m1.get("state").asString() + ": " + m1.get("detail").asString()).startsWith("idle: stopped after 3 s without clients");
        assertThat(m1.get("postgres_pid").isNull()).as("no PostgreSQL process").isTrue();
        assertThat(pgfly.ok("status", CLUSTER).out()).contains("idle").contains("Scale to zero");
        assertThat(kinds(pgfly.ok("events", CLUSTER, "--json").json())).contains("idle-stop");
    }

    @Test
    @Order(2)
    void aConnectedClientKeepsItAwake() throws Exception {
        awaitIdle();
        try (Connection c = Db.connect(url, 30); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS visits (at timestamptz DEFAULT now())");
            Thread.sleep(6_000);
            assertThat(pgfly.status(CLUSTER).get("state").asString()).as("two idle timeouts with a client").isEqualTo("running");
            st.execute("INSERT INTO visits DEFAULT VALUES");
        }
        awaitIdle();
    }

    @Test
    @Order(3)
    void clientsArrivingTogetherWakeItOnceAndAreAllServed() throws Exception {
        awaitIdle();
        int wakesBefore = count("wake");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Long>> answers = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < 6; i++) {
                answers.add(pool.submit(() -> {
                    try (Connection c = Db.connect(url, 30); Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT count(*) FROM visits")) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }));
            }
            for (Future<Long> a : answers) {
                assertThat(a.get()).as("rows written before the member slept").isEqualTo(1);
            }
            System.out.printf("6 clients on a scaled-to-zero member: all answered after %d ms%n",
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("wake") - wakesBefore).as("PostgreSQL started once").isEqualTo(1);
    }

    @Test
    @Order(4)
    void aFailedWakeIsAPostgresErrorForTheClient() throws Exception {
        JsonNode idle = awaitIdle();
        JsonNode m1 = idle.get("members").get(0);
        // Something else holds PostgreSQL's address: it cannot start.
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(m1.get("host").asString(), m1.get("port").asInt()));
            assertThatThrownBy(() -> Db.connect(url, 30).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).as(e.toString()).isEqualTo("57P03");
                        assertThat(e.getMessage()).contains("could not be started").contains("FATAL");
                    });
        }
        assertThat(kinds(pgfly.ok("events", CLUSTER, "--json").json())).contains("wake-failed");
        try (Connection c = Db.connect(url, 30); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM visits")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the next client wakes it").isEqualTo(1);
        }
    }

    @Test
    @Order(5)
    void onlyOneMemberDevClustersScaleToZero() {
        Pgfly.Result ha = pgfly.run("create", "lazyha", "--config", "ha", "--scale-to-zero");
        assertThat(ha.exit()).isNotZero();
        assertThat(ha.err().strip()).isEqualTo("pgfly: --scale-to-zero is for one-member dev clusters: the members of an"
                + " HA cluster must keep serving and streaming");
        Pgfly.Result badTimeout = pgfly.run("create", "lazy2", "--scale-to-zero", "--idle-timeout", "soon");
        assertThat(badTimeout.exit()).isNotZero();
        assertThat(badTimeout.err()).contains("invalid duration 'soon'");
        assertThat(pgfly.ok("list", "--json").json().size()).as("nothing created").isEqualTo(1);
    }

    private static JsonNode awaitIdle() {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> pgfly.statusFromDaemon(CLUSTER), s -> s.get("state").asString().equals("idle"));
    }

    private static int count(String kind) {
        JsonNode events = pgfly.ok("events", CLUSTER, "--json", "--limit", "500").json();
        return (int) kinds(events).stream().filter(kind::equals).count();
    }

    private static List<String> kinds(JsonNode events) {
        return StreamSupport.stream(events.spliterator(), false).map(e -> e.get("kind").asString()).toList();
    }
}
