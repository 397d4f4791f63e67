package dev.pgfly.e2e;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.WritableProbe;

import org.junit.jupiter.api.AfterAll;
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
import java.util.stream.StreamSupport;

import static dev.pgfly.testkit.Processes.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Read replicas in another region: a proxy per region whose replica port prefers its own region,
 * a replica out of rotation while its health is unknown and back after, and a failover that never
 * promotes a member outside the primary region, even when it is the only one left running.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegionsIT {
    private static final String CLUSTER = "geo";
    private static Pgfly pgfly;
    private static String password;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        pgfly.ok("create", CLUSTER, "--config", "ha", "--members", "2", "--region", "fra");
        pgfly.ok("member", "add", CLUSTER, "--region", "syd");
        password = Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/secrets/superuser.password")).strip();
    }

    @AfterAll
    static void tearDown() throws Exception {
        pgfly.close();
        assertThat(pgfly.processes()).as("processes left behind").isEmpty();
    }

    @Test
    @Order(1)
    void eachRegionHasAProxyThatPrefersItsOwnReplicas() throws Exception {
        JsonNode status = awaitHealthy();
        assertThat(status.get("proxies").size()).isEqualTo(2);
        JsonNode syd = member(status, "m3");
        assertThat(syd.get("region").asString()).isEqualTo("syd");
        JsonNode sydProxy = StreamSupport.stream(status.get("proxies").spliterator(), false)
                .filter(p -> p.get("region").asString().equals("syd")).findFirst().orElseThrow();
        assertThat(syd.get("proxy").asString()).isEqualTo(sydProxy.get("replica").asString());
        assertThat(pgfly.ok("status", CLUSTER).out()).contains("Proxy (syd)");

        String sydReplicaUrl = pgfly.ok("url", CLUSTER, "--replica", "--region", "syd").out().strip();
        assertThat(serverAddress(sydReplicaUrl)).as("syd's replica port").isEqualTo(syd.get("host").asString());
        String fraReplicaUrl = pgfly.ok("url", CLUSTER, "--replica").out().strip();
        String fraReplica = status.get("leader").asString().equals("m1") ? "m2" : "m1";
        assertThat(serverAddress(fraReplicaUrl)).as("fra's replica port")
                .isEqualTo(member(status, fraReplica).get("host").asString());
        String sydPrimaryUrl = pgfly.ok("url", CLUSTER, "--region", "syd").out().strip();
        assertThat(serverAddress(sydPrimaryUrl)).as("every proxy's primary port leads to the primary")
                .isEqualTo(member(status, status.get("leader").asString()).get("host").asString());

        Pgfly.Result unknown = pgfly.run("url", CLUSTER, "--replica", "--region", "ams");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err().strip()).isEqualTo("pgfly: cluster 'geo' has no member in region 'ams' (regions: fra, syd)");
    }

    @Test
    @Order(2)
    void aReplicaWhoseHealthIsUnknownLeavesTheRotationAndComesBack() throws Exception {
        JsonNode status = awaitHealthy();
        JsonNode syd = member(status, "m3");
        String sydReplicaUrl = pgfly.ok("url", CLUSTER, "--replica", "--region", "syd").out().strip();
        long agent = syd.get("agent_pid").asLong();
        signal("STOP", agent);
        try {
            // Its agent's session expires: nothing vouches for m3 any more.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> !serverAddress(sydReplicaUrl).equals(syd.get("host").asString()));
        } finally {
            signal("CONT", agent);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> serverAddress(sydReplicaUrl).equals(syd.get("host").asString()));
    }

    @Test
    @Order(3)
    void neverPromotesOutsideThePrimaryRegion() throws Exception {
        JsonNode status = awaitHealthy();
        long termBefore = status.get("term").asLong();
        long m1 = member(status, "m1").get("agent_pid").asLong();
        long m2 = member(status, "m2").get("agent_pid").asLong();
        JsonNode syd = member(status, "m3");
        try (WritableProbe probe = new WritableProbe(WritableProbe.of(status), password)) {
            // Both primary-region agents freeze: the primary is fenced, its session expires, and only
            // m3 (syd) is left to elect. It must wait.
            signal("STOP", m1);
            signal("STOP", m2);
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                        StreamSupport.stream(pgfly.ok("events", CLUSTER, "--json", "--limit", "100").json()
                                        .spliterator(), false).anyMatch(e -> e.get("kind").asString().equals("failover-wait")
                                        && "m3".equals(e.get("member").asString())
                                        && e.get("reason").asString().contains("outside the primary region fra")));
                Thread.sleep(3_000);
                JsonNode during = pgfly.status(CLUSTER);
                assertThat(during.get("leader").isNull()).as("no leader while only syd runs").isTrue();
                try (Connection c = Db.direct(syd.get("host").asString(), syd.get("port").asInt(), password, 3, null);
                     Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                    rs.next();
                    assertThat(rs.getBoolean(1)).as("m3 is still a replica").isTrue();
                }
            } finally {
                signal("CONT", m1);
                signal("CONT", m2);
            }
            JsonNode after = awaitHealthy();
            assertThat(after.get("term").asLong()).isGreaterThan(termBefore);
            assertThat(after.get("leader").asString()).isIn("m1", "m2");
            assertThat(probe.splitBrains()).isEmpty();
        }
    }

    private static String serverAddress(String url) throws Exception {
        try (Connection c = Db.connect(url, 5); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT host(inet_server_addr())")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Disaster recovery ({@code failover --to M --allow-other-region}): refused while the primary region has a fit
     * candidate, and the refusal names it; once nobody there can lead, M is promoted, its region becomes the primary
     * region, and the members of the former one rejoin as its replicas.
     */
    @Test
    @Order(4)
    void promotesOutsideThePrimaryRegionOnlyWhenAskedAndWhenNobodyThereCanLead() throws Exception {
        JsonNode status = awaitHealthy();
        String leader = status.get("leader").asString();
        Pgfly.Result refused = pgfly.run("failover", CLUSTER, "--to", "m3", "--allow-other-region");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err().strip()).isEqualTo("pgfly: refused: the primary region fra has a fit candidate: "
                + leader + " is the primary");
        Pgfly.Result sameRegion = pgfly.run("failover", CLUSTER, "--to", "m2", "--allow-other-region");
        assertThat(sameRegion.err().strip()).contains("m2 is in the primary region fra").doesNotContain("\n");
        Pgfly.Result noTarget = pgfly.run("failover", CLUSTER, "--allow-other-region");
        assertThat(noTarget.err().strip()).contains("--allow-other-region needs --to MEMBER");
        assertThat(pgfly.status(CLUSTER).get("primary_region").asString()).as("nothing changed").isEqualTo("fra");

        long m1 = member(status, "m1").get("agent_pid").asLong();
        long m2 = member(status, "m2").get("agent_pid").asLong();
        try (WritableProbe probe = new WritableProbe(WritableProbe.of(status), password)) {
            // The whole primary region goes: both agents freeze, the primary is fenced, their sessions expire.
            signal("STOP", m1);
            signal("STOP", m2);
            JsonNode done;
            try {
                done = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    Pgfly.Result r = pgfly.run("failover", CLUSTER, "--to", "m3", "--allow-other-region", "--json");
                    if (r.exit() == 0) {
                        return r.json();
                    }
                    // Until the sessions of fra's agents expire, fra still has a fit candidate: each refusal says which.
                    assertThat(r.err().strip()).matches("pgfly: refused: the primary region fra has a fit candidate: m[12].*");
                    return null;
                }, java.util.Objects::nonNull);
                assertThat(done.get("primary").asString()).isEqualTo("m3");
                assertThat(done.get("primary_region").asString()).isEqualTo("syd");
                assertThat(done.get("former_region").asString()).isEqualTo("fra");
                JsonNode during = pgfly.status(CLUSTER);
                assertThat(during.get("leader").asString()).isEqualTo("m3");
                assertThat(during.get("primary_region").asString()).isEqualTo("syd");
                try (Connection c = Db.connect(pgfly.ok("url", CLUSTER).out().strip(), 10); Statement st = c.createStatement()) {
                    st.execute("CREATE TABLE IF NOT EXISTS dr (id int)");
                    st.execute("INSERT INTO dr VALUES (1)");
                }
                assertThat(pgfly.ok("events", CLUSTER, "--json", "--limit", "100").json().toString())
                        .contains("region-failover").contains("the primary region moves from fra to syd");
            } finally {
                signal("CONT", m1);
                signal("CONT", m2);
            }
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
                JsonNode s = pgfly.statusFromDaemon(CLUSTER);
                return s.get("state").asString().equals("running") && member(s, "m1").get("role").asString().equals("replica")
                        && member(s, "m2").get("role").asString().equals("replica")
                        && member(s, "m1").get("streaming").asBoolean() && member(s, "m2").get("streaming").asBoolean();
            });
            assertThat(pgfly.status(CLUSTER).get("leader").asString()).as("fra rejoined as replicas of m3").isEqualTo("m3");
            assertThat(probe.splitBrains()).isEmpty();
        }
    }

    private static JsonNode member(JsonNode status, String name) {
        return StreamSupport.stream(status.get("members").spliterator(), false)
                .filter(m -> m.get("name").asString().equals(name)).findFirst().orElseThrow();
    }

    private static JsonNode awaitHealthy() {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> pgfly.statusFromDaemon(CLUSTER).get("state").asString().equals("running"));
        return pgfly.status(CLUSTER);
    }
}
