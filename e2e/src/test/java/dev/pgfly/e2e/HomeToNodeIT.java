package dev.pgfly.e2e;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.Writer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Upgrading pgfly itself (issue #20 item 8): a home that runs a one-host HA cluster becomes the first node of
 * an installation with {@code pgfly node init}, and the cluster goes on: same data and passwords, its members
 * placed on the node, HA working, and a second start adopts nothing twice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HomeToNodeIT {
    private static final String CLUSTER = "kept";
    private static Pgfly pgfly;
    private static String url;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
    }

    @AfterAll
    static void tearDown() throws Exception {
        pgfly.close();
        assertThat(pgfly.processes()).as("processes left behind").isEmpty();
        assertThat(pgfly.home()).doesNotExist();
    }

    @Test
    @Order(1)
    void nodeInitKeepsTheHomesOneHostCluster() throws Exception {
        pgfly.ok("create", CLUSTER, "--config", "ha", "--members", "2");
        String oneHostUrl = pgfly.ok("url", CLUSTER).out().strip();
        try (Connection c = Db.connect(oneHostUrl); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id int PRIMARY KEY)");
            st.execute("INSERT INTO items SELECT generate_series(1, 100)");
        }
        String password = oneHostUrl.replaceAll("(?s).*postgres://postgres:([^@]+)@.*", "$1");
        pgfly.ok("daemon", "stop");

        long started = System.nanoTime();
        List<String> init = new ArrayList<>(List.of("node", "init", "--name", "h1", "--address", "127.0.0.1", "--json"));
        // Free ports, not the defaults: whatever else runs on this host keeps its own.
        for (String port : List.of("--api-port", "--client-port", "--quorum-port", "--election-port")) {
            init.addAll(List.of(port, Integer.toString(freePort())));
        }
        JsonNode answer = pgfly.ok(init.toArray(String[]::new)).json();
        assertThat(answer.get("adopted").toString()).isEqualTo("[\"" + CLUSTER + "\"]");

        JsonNode status = awaitHealthy();
        System.out.printf("node init to a healthy adopted cluster: %.1f s%n", (System.nanoTime() - started) / 1e9);
        for (JsonNode m : status.get("members")) {
            assertThat(m.get("node").asString()).as("node of %s", m.get("name")).isEqualTo("h1");
            assertThat(m.get("host").asString()).isEqualTo("127.0.0.1");
        }
        assertThat(status.get("host_risk").asString()).contains("loss of that host");
        JsonNode nodes = pgfly.ok("node", "list", "--json").json();
        assertThat(nodes).hasSize(1);
        assertThat(nodes.get(0).get("name").asString()).isEqualTo("h1");
        assertThat(nodes.get(0).get("up").asBoolean()).isTrue();
        assertThat(nodes.get(0).get("members").toString()).contains(CLUSTER + "/m1").contains(CLUSTER + "/m2");

        url = pgfly.ok("url", CLUSTER).out().strip();
        assertThat(url).contains(password);
        assertThat(count()).isEqualTo(100);
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO items SELECT generate_series(101, 200)");
        }
        assertThat(adoptions()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void aSwitchoverAfterwardsLosesNothing() throws Exception {
        String before = pgfly.primaryMember(CLUSTER).get("name").asString();
        try (Writer writer = new Writer(url)) {
            assertThat(writer.awaitMoreAcks(20, 30_000)).isTrue();
            pgfly.ok("failover", CLUSTER);
            assertThat(writer.awaitMoreAcks(20, 60_000)).as("writes after the switchover").isTrue();
            writer.close();
            assertThat(Writer.stored(url)).containsAll(writer.acknowledged());
        }
        awaitHealthy();
        assertThat(pgfly.primaryMember(CLUSTER).get("name").asString()).isNotEqualTo(before);
        assertThat(count()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void aRestartedNodeAdoptsNothingTwice() throws Exception {
        pgfly.ok("daemon", "stop");
        // any command starts the node again (there is no `daemon start`)
        assertThat(pgfly.ok("node", "list", "--json").json().get(0).get("up").asBoolean()).isTrue();
        awaitHealthy();
        assertThat(count()).isEqualTo(200);
        assertThat(adoptions()).isEqualTo(1);
        assertThat(pgfly.ok("list", "--json").json()).hasSize(1);
    }

    /** A running primary and a streaming replica, both placed on h1. */
    private static JsonNode awaitHealthy() {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            JsonNode s = pgfly.statusFromDaemon(CLUSTER);
            int primaries = 0;
            int streaming = 0;
            for (JsonNode m : s.get("members")) {
                assertThat(m.get("state").asString()).as("state of %s", m.get("name")).isEqualTo("running");
                primaries += m.get("role").asString().equals("primary") ? 1 : 0;
                streaming += m.get("role").asString().equals("replica") && m.get("streaming").asBoolean() ? 1 : 0;
            }
            assertThat(primaries).isEqualTo(1);
            assertThat(streaming).isEqualTo(1);
            last[0] = s;
        });
        return last[0];
    }

    private static int count() throws Exception {
        try (Connection c = Db.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static long adoptions() {
        long n = 0;
        for (JsonNode e : pgfly.ok("events", CLUSTER, "--json", "--limit", "500").json()) {
            n += e.get("kind").asString().equals("adopt") ? 1 : 0;
        }
        return n;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
