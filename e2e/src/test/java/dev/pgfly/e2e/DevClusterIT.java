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

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A one-member dev cluster end to end: real daemon, embedded ZooKeeper, agent, proxy and PostgreSQL. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevClusterIT {
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
    void createWriteStopStartRead() throws Exception {
        long started = System.nanoTime();
        Pgfly.Result created = pgfly.ok("create", "demo");
        System.out.printf("create demo (daemon cold start included): %.2f s%n", (System.nanoTime() - started) / 1e9);
        assertThat(created.out()).contains("postgres://postgres:").contains("m1").contains("primary");

        JsonNode status = pgfly.status("demo");
        assertThat(status.get("name").asString()).isEqualTo("demo");
        assertThat(status.get("state").asString()).isEqualTo("running");
        assertThat(status.get("proxy").get("primary").asString()).matches("127\\.0\\.0\\.1:\\d+");
        JsonNode m1 = status.get("members").get(0);
        assertThat(m1.get("name").asString()).isEqualTo("m1");
        assertThat(m1.get("role").asString()).isEqualTo("primary");
        assertThat(m1.get("state").asString()).isEqualTo("running");
        assertThat(m1.get("region").asString()).isEqualTo("local");
        assertThat(m1.get("host").asString()).startsWith("127.");
        assertThat(m1.get("port").asInt()).isPositive();
        assertThat(m1.get("agent_pid").asLong()).isPositive();
        assertThat(m1.get("postgres_pid").asLong()).isPositive();
        assertThat(m1.get("api").asString()).startsWith("http://");
        assertThat(m1.get("lsn").asString()).matches("[0-9A-F]+/[0-9A-F]+");

        url = pgfly.ok("url", "demo").out().strip();
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
            st.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g");
        }

        pgfly.ok("stop", "demo");
        assertThat(pgfly.status("demo").get("state").asString()).isEqualTo("stopped");
        long pgPid = m1.get("postgres_pid").asLong();
        assertThat(ProcessHandle.of(pgPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThatThrownBy(() -> Db.connect(url, 2).close()).isInstanceOf(SQLException.class);

        pgfly.ok("start", "demo");
        assertThat(countItems()).isEqualTo(100);
    }

    @Test
    @Order(2)
    void killedAgentIsRestartedWithDataIntact() throws Exception {
        long agentPid = pgfly.status("demo").get("members").get(0).get("agent_pid").asLong();
        killAgentAndAwaitARunningPrimary(agentPid);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> countItems() == 100);
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO items VALUES (101, 'after agent restart')");
        }
        assertThat(countItems()).isEqualTo(101);
    }

    /**
     * A bootstrap cut short between starting PostgreSQL and creating pgfly's roles (the suite met it on a
     * starved machine: the superuser's login timed out) left a primary no agent could log in to, "primary
     * not answering" for good. The state is made here as that bootstrap left it: no agent or monitoring
     * role, the pending mark in the member's directory. The restarted agent cannot win an election (it
     * probes as the missing role): it must resume the bootstrap.
     */
    @Test
    @Order(3)
    void anAgentThatDiedBeforeCreatingItsRolesFinishesTheBootstrap() throws Exception {
        long agentPid = pgfly.status("demo").get("members").get(0).get("agent_pid").asLong();
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            for (String role : new String[] {"pgfly_agent", "pgfly_monitor"}) {
                st.execute("REASSIGN OWNED BY " + role + " TO postgres");
                st.execute("DROP OWNED BY " + role);
                st.execute("DROP ROLE " + role);
            }
        }
        Path pending = pgfly.home().resolve("clusters/demo/members/m1/roles-pending");
        Files.writeString(pending, "");
        killAgentAndAwaitARunningPrimary(agentPid);
        assertThat(pending).doesNotExist();
        try (Connection c = Db.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname IN ('pgfly_agent', 'pgfly_monitor')")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
        assertThat(countItems()).isEqualTo(101);
    }

    /** Kills the member's agent; the daemon starts another, which must bring the primary back. */
    private static void killAgentAndAwaitARunningPrimary(long agentPid) {
        ProcessHandle.of(agentPid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
            JsonNode m = pgfly.statusFromDaemon("demo").get("members").get(0);
            assertThat(m.get("agent_pid").asLong()).isNotEqualTo(agentPid);
            assertThat(m.get("state").asString()).isEqualTo("running");
            assertThat(m.get("role").asString()).isEqualTo("primary");
        });
    }

    @Test
    @Order(4)
    void daemonRestartBringsTheClusterBack() throws Exception {
        long agentPid = pgfly.status("demo").get("members").get(0).get("agent_pid").asLong();
        pgfly.ok("daemon", "stop");
        assertThat(ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(pgfly.processes()).as("no agent, proxy or PostgreSQL after daemon stop").isEmpty();

        // Any command starts the daemon again, which restarts every cluster that was running.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> "running".equals(pgfly.status("demo").get("state").asString()));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> countItems() == 101);
    }

    @Test
    @Order(5)
    void aDevClusterBecomesHaByAddingAMember() throws Exception {
        pgfly.ok("member", "add", "demo");
        JsonNode status = pgfly.status("demo");
        assertThat(status.get("members").size()).isEqualTo(2);
        JsonNode m2 = status.get("members").get(1);
        assertThat(m2.get("name").asString()).isEqualTo("m2");
        assertThat(m2.get("role").asString()).isEqualTo("replica");
        assertThat(m2.get("streaming").asBoolean()).isTrue();

        pgfly.ok("failover", "demo", "--to", "m2");
        assertThat(pgfly.status("demo").get("leader").asString()).isEqualTo("m2");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> countItems() == 101);
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO items VALUES (102, 'written on m2')");
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            JsonNode m1 = pgfly.statusFromDaemon("demo").get("members").get(0);
            assertThat(m1.get("role").asString()).isEqualTo("replica");
            assertThat(m1.get("streaming").asBoolean()).isTrue();
        });
        assertThat(countItems()).isEqualTo(102);
    }

    @Test
    @Order(6)
    void destroyLeavesNoProcessAndNoFile() throws Exception {
        Path clusterDir = pgfly.home().resolve("clusters/demo");
        assertThat(clusterDir).exists();
        pgfly.ok("destroy", "demo", "--yes");
        assertThat(clusterDir).doesNotExist();
        assertThat(pgfly.processes()).as("processes of the destroyed cluster").isEmpty();
        assertThat(pgfly.ok("list", "--json").json().size()).isZero();
        Pgfly.Result again = pgfly.run("status", "demo");
        assertThat(again.exit()).isNotZero();
        assertThat(again.err().strip()).isEqualTo("pgfly: no cluster named 'demo'");
        assertThat(Files.list(pgfly.home().resolve("clusters")).count()).isZero();
    }

    private static int countItems() throws SQLException {
        try (Connection c = Db.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
