package dev.pgfly.e2e;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Partition;
import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.WritableProbe;
import dev.pgfly.testkit.Writer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.pgfly.testkit.Processes.kill;
import static dev.pgfly.testkit.Processes.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A three-member synchronous cluster under faults. A writer inserts numbered rows through the proxy
 * and records the acknowledged ones; a probe asks every member directly, every 100 ms, whether it
 * accepts writes. After each fault: writes resume, no acknowledged row is lost, there never were two
 * writable members, and after healing every member streams from the primary again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaClusterIT {
    private static final String CLUSTER = "ha";
    private static Pgfly pgfly;
    private static Writer writer;
    private static WritableProbe probe;
    private static String url;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        long started = System.nanoTime();
        pgfly.ok("create", CLUSTER, "--config", "ha", "--sync");
        System.out.printf("create ha --sync (3 members): %.2f s%n", (System.nanoTime() - started) / 1e9);
        url = pgfly.ok("url", CLUSTER).out().strip();
        String password = Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/secrets/superuser.password")).strip();
        probe = new WritableProbe(WritableProbe.of(pgfly.status(CLUSTER)), password);
        writer = new Writer(url);
        assertThat(writer.awaitMoreAcks(20, 30_000)).as("writes through the proxy").isTrue();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (writer != null) {
            writer.close();
        }
        if (probe != null) {
            probe.close();
        }
        pgfly.close();
        assertThat(pgfly.processes()).isEmpty();
    }

    @AfterEach
    void checkInvariants() throws Exception {
        awaitHealthy();
        assertNoAcknowledgedWriteLost();
        assertThat(probe.splitBrains()).as("moments with two writable members").isEmpty();
    }

    @Test
    @Order(1)
    void streamingReplicationWithSlotsAndSyncSet() throws Exception {
        JsonNode status = awaitHealthy();
        String primary = status.get("leader").asString();
        assertThat(status.get("members").size()).isEqualTo(3);
        long sync = 0;
        for (JsonNode m : status.get("members")) {
            if (!m.get("name").asString().equals(primary)) {
                assertThat(m.get("role").asString()).isEqualTo("replica");
                assertThat(m.get("streaming").asBoolean()).isTrue();
                sync += m.get("synchronous").asBoolean() ? 1 : 0;
            }
        }
        assertThat(sync).as("synchronous standbys").isEqualTo(2);
        try (Connection c = Db.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT slot_name FROM pg_replication_slots ORDER BY 1")) {
            Set<String> slots = new HashSet<>();
            while (rs.next()) {
                slots.add(rs.getString(1));
            }
            assertThat(slots).hasSize(2).allMatch(s -> s.startsWith("pgfly_m"));
            try (ResultSet ssn = st.executeQuery("SHOW synchronous_standby_names")) {
                ssn.next();
                assertThat(ssn.getString(1)).startsWith("ANY 1 (");
            }
        }
    }

    @Test
    @Order(2)
    void killPrimaryPostgres() throws Exception {
        JsonNode primary = primary();
        fault("kill -9 postgres of " + primary.get("name").asString(), Leadership.MAY_STAY,
                () -> kill(primary.get("postgres_pid").asLong()), () -> { });
    }

    @Test
    @Order(3)
    void killPrimaryAgent() throws Exception {
        JsonNode primary = primary();
        fault("kill -9 agent of " + primary.get("name").asString(), Leadership.MUST_CHANGE,
                () -> kill(primary.get("agent_pid").asLong()), () -> { });
        assertThat(primary().get("name").asString()).as("a replica took over").isNotEqualTo(primary.get("name").asString());
    }

    @Test
    @Order(4)
    void killPrimaryHost() throws Exception {
        JsonNode primary = primary();
        fault("kill -9 agent and postgres of " + primary.get("name").asString(), Leadership.MUST_CHANGE, () -> {
            kill(primary.get("agent_pid").asLong());
            kill(primary.get("postgres_pid").asLong());
        }, () -> { });
        assertThat(primary().get("name").asString()).isNotEqualTo(primary.get("name").asString());
    }

    @Test
    @Order(5)
    void freezePrimaryAgentLongerThanTheSession() throws Exception {
        JsonNode primary = primary();
        long agent = primary.get("agent_pid").asLong();
        fault("SIGSTOP agent of " + primary.get("name").asString(), Leadership.MUST_CHANGE, () -> {
            signal("STOP", agent);
            Thread.sleep(9_000);
        }, () -> signal("CONT", agent));
        assertThat(primary().get("name").asString()).isNotEqualTo(primary.get("name").asString());
    }

    @Test
    @Order(6)
    void cutPrimaryOff() throws Exception {
        Assumptions.assumeTrue(Partition.available(), "iptables is not usable here");
        JsonNode primary = primary();
        try (Partition partition = new Partition("ha")) {
            fault("iptables partition of " + primary.get("name").asString(), Leadership.MUST_CHANGE,
                    () -> {
                        partition.isolate(primary.get("host").asString());
                        Thread.sleep(10_000);
                    }, partition::heal);
        }
        assertThat(primary().get("name").asString()).isNotEqualTo(primary.get("name").asString());
    }

    @Test
    @Order(8)
    void refusesASwitchoverToAnUnknownMember() {
        Pgfly.Result r = pgfly.run("failover", CLUSTER, "--to", "m9");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("has no member 'm9'");
    }

    @Test
    @Order(9)
    void addAndRemoveAMember() throws Exception {
        pgfly.ok("member", "add", CLUSTER);
        JsonNode status = awaitHealthy();
        assertThat(status.get("members").size()).isEqualTo(4);
        assertThat(slots()).contains("pgfly_m4");
        pgfly.ok("member", "remove", CLUSTER, "m4");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(slots()).doesNotContain("pgfly_m4"));
        assertThat(pgfly.status(CLUSTER).get("members").size()).isEqualTo(3);
    }

    /**
     * {@code member update}: a replica tagged {@code nosync} and {@code nofailover} leaves the synchronous set
     * (the other replica stays in it), the plan says why it is unfit, a switchover to it is refused and one
     * without {@code --to} picks the other replica; untagged, it is synchronous again.
     */
    @Test
    @Order(11)
    void memberTagsSteerTheSyncSetAndTheChoiceOfPrimary() throws Exception {
        List<String> replicas = replicas();
        String tagged = replicas.get(0);
        String other = replicas.get(1);
        JsonNode updated = pgfly.ok("member", "update", CLUSTER, tagged, "--no-sync", "--no-failover", "--json").json();
        assertThat(member(updated, tagged).get("tags").asString()).isEqualTo("nofailover,nosync");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            JsonNode s = pgfly.statusFromDaemon(CLUSTER);
            assertThat(member(s, tagged).get("synchronous").asBoolean()).as(tagged + " synchronous").isFalse();
            assertThat(member(s, other).get("synchronous").asBoolean()).as(other + " synchronous").isTrue();
        });
        assertThat(pgfly.ok("status", CLUSTER).out()).contains("TAGS").contains("nofailover,nosync");

        JsonNode plan = pgfly.ok("failover", CLUSTER, "--dry-run", "--json").json();
        assertThat(plan.get("candidate").asString()).isEqualTo(other);
        for (JsonNode v : plan.get("members")) {
            if (v.get("name").asString().equals(tagged)) {
                assertThat(v.get("fit").asBoolean()).isFalse();
                assertThat(v.get("reason").asString()).contains("nofailover");
            }
        }
        Pgfly.Result refused = pgfly.run("failover", CLUSTER, "--to", tagged);
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err().strip()).contains("nofailover").doesNotContain("\n");

        // A switchover there and back under the writer (the @AfterEach checks that nothing acknowledged was lost).
        String before = primary().get("name").asString();
        assertThat(writer.awaitMoreAcks(10, 20_000)).isTrue();
        pgfly.ok("failover", CLUSTER);
        assertThat(primary().get("name").asString()).as("the switchover's choice").isEqualTo(other);
        awaitHealthy();
        switchover(before);
        assertThat(primary().get("name").asString()).as("switched back").isEqualTo(before);

        JsonNode untagged = pgfly.ok("member", "update", CLUSTER, tagged, "--sync", "--failover", "--json").json();
        assertThat(member(untagged, tagged).path("tags").isNull() || member(untagged, tagged).path("tags").isMissingNode())
                .as("no tags left").isTrue();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                assertThat(member(pgfly.statusFromDaemon(CLUSTER), tagged).get("synchronous").asBoolean()).isTrue());
    }

    private static JsonNode member(JsonNode status, String name) {
        for (JsonNode m : status.get("members")) {
            if (m.get("name").asString().equals(name)) {
                return m;
            }
        }
        throw new AssertionError("no member " + name + " in " + status);
    }

    /**
     * Client routing for HAProxy users and through pgfly's replica port: the agents answer HAProxy's
     * {@code OPTIONS} checks per role, the replica port spreads clients over both replicas, and
     * {@code pgfly haproxy} names every member; where HAProxy is installed, it runs on that
     * configuration and sends the primary port to the primary and the replica port to replicas.
     */
    @Test
    @Order(10)
    void haproxyChecksAndTheReplicaPortSpreadsClients() throws Exception {
        JsonNode status = awaitHealthy();
        String leader = status.get("leader").asString();
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            for (JsonNode m : status.get("members")) {
                boolean isPrimary = m.get("name").asString().equals(leader);
                for (String check : List.of("/primary", "/replica")) {
                    java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest
                                    .newBuilder(java.net.URI.create(m.get("api").asString() + check))
                                    .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    boolean expectUp = isPrimary == check.equals("/primary");
                    assertThat(answer.statusCode()).as("OPTIONS " + check + " on " + m.get("name").asString())
                            .isEqualTo(expectUp ? 200 : 503);
                    assertThat(answer.body()).isEmpty();
                }
            }
        }

        String replicaUrl = pgfly.ok("url", CLUSTER, "--replica").out().strip();
        List<Connection> held = new java.util.ArrayList<>();
        try {
            List<String> landed = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Connection c = Db.connect(replicaUrl);
                held.add(c);
                landed.add(serverAddress(c));
            }
            System.out.println("6 connections to the replica port landed on: " + landed);
            assertThat(new HashSet<>(landed)).as("distinct replicas behind 6 connections to the replica port")
                    .hasSizeGreaterThanOrEqualTo(2).doesNotContain(memberAddress(primary()));
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }

        int primaryPort = freePort();
        int replicaPort = freePort();
        String config = pgfly.ok("haproxy", CLUSTER, "--primary-port", Integer.toString(primaryPort),
                "--replica-port", Integer.toString(replicaPort)).out();
        for (JsonNode m : status.get("members")) {
            java.net.URI api = java.net.URI.create(m.get("api").asString());
            String line = "server " + m.get("name").asString() + " " + memberAddress(m) + " check port " + api.getPort();
            assertThat(config.lines().map(String::strip).filter(line::equals)).as(line).hasSize(2);
        }
        java.nio.file.Path haproxy = java.nio.file.Path.of("/usr/sbin/haproxy");
        if (!Files.isExecutable(haproxy)) {
            System.out.println("haproxy is not installed: the configuration was not run");
            return;
        }
        java.nio.file.Path file = Files.createTempFile("pgfly-haproxy", ".cfg");
        Files.writeString(file, config);
        Process proxy = new ProcessBuilder(haproxy.toString(), "-db", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(file.resolveSibling(file.getFileName() + ".log").toFile()).start();
        try {
            String password = Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/secrets/superuser.password")).strip();
            String primaryAddress = memberAddress(primary());
            // Several rounds in a row: a member still counted up from before its first checks would show here.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                for (int i = 0; i < 4; i++) {
                    try (Connection p = Db.direct("127.0.0.1", primaryPort, password, 5, null);
                         Connection r = Db.direct("127.0.0.1", replicaPort, password, 5, null)) {
                        assertThat(serverAddress(p)).isEqualTo(primaryAddress);
                        assertThat(serverAddress(r)).isNotEqualTo(primaryAddress);
                    }
                }
            });
        } finally {
            proxy.destroy();
            if (!proxy.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                proxy.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".log"));
            Files.deleteIfExists(file);
        }
    }

    private static String serverAddress(Connection c) throws Exception {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT host(inet_server_addr()) || ':' || inet_server_port()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String memberAddress(JsonNode m) {
        return m.get("host").asString() + ":" + m.get("port").asInt();
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ helpers

    interface Action {
        void run() throws Exception;
    }

    /** Whether a fault must end the primary's term (its agent cannot prove leadership any more). */
    enum Leadership { MAY_STAY, MUST_CHANGE }

    /**
     * Injects a fault and waits until the cluster has recovered from it: a primary of the expected
     * term exists, and only then do writes count as resumed. Acks alone would not do: a fenced primary
     * keeps accepting writes until its lease runs out, so the writer sees acks before any failover.
     */
    private void fault(String description, Leadership leadership, Action inject, Action heal) throws Exception {
        JsonNode before = pgfly.status(CLUSTER);
        String formerPrimary = before.get("leader").asString();
        long formerTerm = before.get("term").asLong();
        assertThat(writer.awaitMoreAcks(10, 20_000)).isTrue();
        writer.resetGap();
        long started = System.currentTimeMillis();
        inject.run();
        heal.run();
        JsonNode after = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> pgfly.statusFromDaemon(CLUSTER), s -> !s.get("leader").isNull()
                        && (leadership == Leadership.MAY_STAY || s.get("term").asLong() > formerTerm));
        assertThat(writer.awaitMoreAcks(20, 90_000)).as("writes resume after " + description).isTrue();
        System.out.printf("%s: primary %s (term %d) -> %s (term %d), writes resumed after %d ms (longest write gap %d ms)%n",
                description, formerPrimary, formerTerm, after.get("leader").asString(), after.get("term").asLong(),
                System.currentTimeMillis() - started, writer.longestGapMillis());
    }

    private void switchover(String to) throws Exception {
        assertThat(writer.awaitMoreAcks(10, 20_000)).isTrue();
        writer.resetGap();
        pgfly.ok("failover", CLUSTER, "--to", to);
        assertThat(writer.awaitMoreAcks(20, 30_000)).isTrue();
        System.out.printf("switchover to %s: longest write gap %d ms%n", to, writer.longestGapMillis());
        awaitHealthy();
        assertNoAcknowledgedWriteLost();
    }

    private static JsonNode awaitHealthy() {
        // The daemon's API, not a `pgfly status` process per poll: on a small machine those JVM starts
        // would take the CPU from the very cluster being watched.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            JsonNode s = pgfly.statusFromDaemon(CLUSTER);
            String leader = s.get("leader").asString();
            assertThat(s.get("state").asString()).isEqualTo("running");
            for (JsonNode m : s.get("members")) {
                if (m.get("name").asString().equals(leader)) {
                    assertThat(m.get("role").asString()).isEqualTo("primary");
                } else {
                    assertThat(m.get("role").asString()).as(m.get("name").asString()).isEqualTo("replica");
                    assertThat(m.get("streaming").asBoolean()).as(m.get("name") + " streaming").isTrue();
                    assertThat(m.get("upstream").asString()).isEqualTo(leader);
                }
            }
        });
        return pgfly.status(CLUSTER);
    }

    private static void assertNoAcknowledgedWriteLost() throws Exception {
        Set<Long> acked = writer.acknowledged();
        Set<Long> present = new HashSet<>();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            present.clear();
            present.addAll(Writer.stored(url));
            return true;
        });
        Set<Long> lost = new HashSet<>(acked);
        lost.removeAll(present);
        assertThat(lost).as("acknowledged writes lost (of " + acked.size() + ")").isEmpty();
    }

    private static JsonNode primary() {
        JsonNode s = pgfly.status(CLUSTER);
        for (JsonNode m : s.get("members")) {
            if (m.get("name").asString().equals(s.get("leader").asString())) {
                return m;
            }
        }
        throw new AssertionError("no primary in " + s);
    }

    private static List<String> replicas() {
        JsonNode s = pgfly.status(CLUSTER);
        return java.util.stream.StreamSupport.stream(s.get("members").spliterator(), false)
                .filter(m -> m.get("role").asString().equals("replica"))
                .map(m -> m.get("name").asString()).sorted().toList();
    }

    private static Set<String> slots() throws Exception {
        Set<String> slots = new HashSet<>();
        try (Connection c = Db.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT slot_name FROM pg_replication_slots")) {
            while (rs.next()) {
                slots.add(rs.getString(1));
            }
        }
        return slots;
    }
}
