package dev.pgfly.e2e;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.PromText;
import dev.pgfly.testkit.Pgfly;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Observability of a three-member cluster end to end: every agent's and the proxy's /metrics parsed
 * strictly, health checks that turn critical when a replica's PostgreSQL is killed and pass again once
 * its agent restarted it, the history of that restart, {@code checks}, {@code metrics}, {@code status}'s
 * CHECKS column, and {@code logs --follow} showing a new PostgreSQL line within a second.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {
    private static final String CLUSTER = "obs";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static Pgfly pgfly;
    private static String url;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        long started = System.nanoTime();
        pgfly.ok("create", CLUSTER, "--config", "ha");
        System.out.printf("create obs --config ha: %.2f s%n", (System.nanoTime() - started) / 1e9);
        url = pgfly.ok("url", CLUSTER).out().strip();
        awaitAllStreaming();
    }

    @AfterAll
    static void tearDown() throws Exception {
        pgfly.close();
        assertThat(pgfly.processes()).as("processes left behind").isEmpty();
        assertThat(pgfly.home()).doesNotExist();
    }

    @Test
    @Order(1)
    void everyAgentAndTheProxyExposeTheirMetrics() throws Exception {
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE observed (id int PRIMARY KEY)");
            st.execute("INSERT INTO observed SELECT generate_series(1, 1000)");
            c.setAutoCommit(false);
            st.execute("INSERT INTO observed VALUES (5000)");
            c.rollback();
        }
        JsonNode status = awaitAllStreaming();
        String primary = status.get("leader").asString();
        long term = status.get("term").asLong();

        for (JsonNode m : status.get("members")) {
            String name = m.get("name").asString();
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(m.get("api").asString() + "/metrics");
            double millis = (System.nanoTime() - t0) / 1e6;
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
            PromText metrics = PromText.parse(r.body());
            System.out.printf("scrape %s: %.1f ms, %d families, %d samples, %d bytes%n", name, millis,
                    metrics.families().size(), metrics.families().values().stream().mapToInt(f -> f.samples().size()).sum(),
                    r.body().length());
            boolean isPrimary = name.equals(primary);

            assertThat(metrics.value("pg_up")).as(name).contains(1.0);
            assertThat(metrics.value("pg_stat_database_xact_commit", "datname", "postgres").orElseThrow()).isPositive();
            assertThat(metrics.value("pg_stat_database_xact_rollback", "datname", "postgres").orElseThrow())
                    .isGreaterThanOrEqualTo(isPrimary ? 1 : 0);
            assertThat(metrics.value("pg_stat_database_blks_hit", "datname", "postgres").orElseThrow()).isPositive();
            assertThat(metrics.value("pg_stat_database_blks_read", "datname", "postgres").orElseThrow()).isNotNegative();
            assertThat(metrics.value("pg_database_size_bytes", "datname", "postgres").orElseThrow())
                    .isGreaterThan(1_000_000);
            assertThat(metrics.value("pg_settings_max_connections")).contains(100.0);
            Set<String> states = new HashSet<>();
            metrics.family("pg_stat_activity_count").orElseThrow().where(Map.of("datname", "postgres"))
                    .forEach(s -> states.add(s.labels().get("state")));
            assertThat(states).contains("active", "idle", "idle in transaction");
            assertThat(metrics.value("pg_stat_activity_count", "datname", "postgres", "state", "active").orElseThrow())
                    .as("the scrape's own query is active").isGreaterThanOrEqualTo(1);
            assertThat(metrics.value("pg_replication_is_replica")).contains(isPrimary ? 0.0 : 1.0);
            assertThat(metrics.value("pg_replication_lag_seconds").orElseThrow()).isBetween(0.0, 60.0);

            assertThat(metrics.value("pgfly_role", "role", "primary")).contains(isPrimary ? 1.0 : 0.0);
            assertThat(metrics.value("pgfly_role", "role", "replica")).contains(isPrimary ? 0.0 : 1.0);
            assertThat(metrics.value("pgfly_leader")).contains(isPrimary ? 1.0 : 0.0);
            assertThat(metrics.value("pgfly_term")).contains((double) term);
            assertThat(metrics.value("pgfly_timeline").orElseThrow()).isGreaterThanOrEqualTo(1);
            assertThat(metrics.value("pgfly_wal_position_bytes").orElseThrow()).isGreaterThan(0x1000000);
            assertThat(metrics.value("pgfly_coordination_connected")).contains(1.0);
            assertThat(metrics.value("pgfly_coordination_last_contact_seconds").orElseThrow()).isBetween(0.0, 5.0);
            assertThat(metrics.value("pgfly_failovers_total")).isPresent();
            assertThat(metrics.value("pgfly_switchovers_total")).isPresent();
            assertThat(metrics.family("pgfly_ha_loop_duration_seconds").orElseThrow().type()).isEqualTo("histogram");
            assertThat(metrics.value("pgfly_ha_loop_duration_seconds_count").orElseThrow()).isPositive();
            assertThat(metrics.value("pgfly_check_status", "check", "pg")).contains(0.0);
            assertThat(metrics.value("pgfly_check_status", "check", "role")).contains(0.0);
            assertThat(metrics.value("pgfly_member_info", "cluster", CLUSTER, "member", name, "region", "local"))
                    .contains(1.0);
            if (isPrimary) {
                assertThat(metrics.value("pgfly_events_total", "kind", "bootstrap")).contains(1.0);
                for (JsonNode other : status.get("members")) {
                    String replica = other.get("name").asString();
                    if (!replica.equals(primary)) {
                        assertThat(metrics.value("pgfly_replication_lag_bytes", "replica", replica).orElseThrow())
                                .as("lag of " + replica).isBetween(0.0, 16.0 * 1024 * 1024);
                        assertThat(metrics.value("pgfly_replication_lag_seconds", "replica", replica).orElseThrow())
                                .isBetween(0.0, 60.0);
                    }
                }
            } else {
                // a family without samples is not written at all
                assertThat(metrics.family("pgfly_replication_lag_bytes").map(f -> f.samples().size()).orElse(0))
                        .as("replicas of a replica").isZero();
            }
        }

        String proxyMetrics = status.get("proxy").get("metrics").asString();
        assertThat(proxyMetrics).matches("http://127\\.0\\.0\\.1:\\d+/metrics");
        HttpResponse<String> r = get(proxyMetrics);
        assertThat(r.statusCode()).isEqualTo(200);
        PromText proxy = PromText.parse(r.body());
        int primaryPort = Integer.parseInt(status.get("proxy").get("primary").asString().split(":")[1]);
        assertThat(proxy.value("pgfly_proxy_connections_total", "listener", "primary", "port",
                Integer.toString(primaryPort)).orElseThrow()).isGreaterThanOrEqualTo(1);
        // The proxy notices a client's close asynchronously (its pipe threads see EOF): poll, briefly.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(PromText.parse(get(proxyMetrics).body()).value("pgfly_proxy_connections_open", "listener",
                        "primary", "port", Integer.toString(primaryPort))).contains(0.0));
        assertThat(proxy.value("pgfly_proxy_bytes_total", "direction", "to_server").orElseThrow()).isGreaterThan(100);
        assertThat(proxy.value("pgfly_proxy_bytes_total", "direction", "to_client").orElseThrow()).isGreaterThan(100);
        assertThat(proxy.value("pgfly_proxy_connections_refused_total")).contains(0.0);
        assertThat(proxy.value("pgfly_proxy_connections_held_total")).isPresent();
        assertThat(proxy.value("pgfly_proxy_connections_closed_on_term_change_total")).isPresent();
        assertThat(proxy.value("pgfly_proxy_route_changes_total").orElseThrow()).isGreaterThanOrEqualTo(1);
        assertThat(proxy.value("pgfly_proxy_wakeups_total")).contains(0.0);
    }

    @Test
    @Order(2)
    void metricsCommandListsEveryScrapeTarget() {
        JsonNode status = pgfly.status(CLUSTER);
        Pgfly.Result table = pgfly.ok("metrics", CLUSTER);
        assertThat(table.out()).startsWith("COMPONENT");
        for (JsonNode m : status.get("members")) {
            assertThat(table.out()).contains(m.get("api").asString() + "/metrics");
        }
        assertThat(table.out()).contains(status.get("proxy").get("metrics").asString());

        JsonNode targets = pgfly.ok("metrics", CLUSTER, "--json").json();
        assertThat(targets.size()).isEqualTo(4);
        List<String> components = new ArrayList<>();
        for (JsonNode t : targets) {
            assertThat(t.get("targets").size()).isEqualTo(1);
            assertThat(t.get("targets").get(0).asString()).matches("127\\.\\d+\\.\\d+\\.\\d+:\\d+");
            assertThat(t.get("labels").get("cluster").asString()).isEqualTo(CLUSTER);
            assertThat(t.get("labels").get("__metrics_path__").asString()).isEqualTo("/metrics");
            components.add(t.get("labels").get("component").asString() + "/" + t.get("labels").get("member").asString());
        }
        assertThat(components).containsExactly("agent/m1", "agent/m2", "agent/m3", "proxy/proxy");
        assertThat(pgfly.run("metrics", "nosuch").exit()).isNotZero();
    }

    @Test
    @Order(3)
    void checksCommandAndStatusColumn() throws Exception {
        JsonNode checks = pgfly.ok("checks", CLUSTER, "--json").json();
        assertThat(checks.size()).isEqualTo(3);
        for (JsonNode member : checks) {
            List<String> names = new ArrayList<>();
            String worst = "passing";
            for (JsonNode c : member.get("checks")) {
                names.add(c.get("name").asString());
                assertThat(c.get("status").asString()).isIn("passing", "warning", "critical");
                assertThat(c.get("output").asString()).isNotBlank();
                worst = worse(worst, c.get("status").asString());
            }
            assertThat(names).containsExactly("pg", "role", "vm");
            assertThat(member.get("checks").get(0).get("status").asString()).as("pg of " + member).isEqualTo("passing");
            assertThat(member.get("checks").get(1).get("status").asString()).as("role of " + member).isEqualTo("passing");
            assertThat(member.get("status").asString()).isEqualTo(worst);
        }
        System.out.println("vm check: " + checks.get(0).get("checks").get(2).get("output").asString());

        Pgfly.Result table = pgfly.ok("checks", CLUSTER);
        assertThat(table.out().lines().findFirst().orElseThrow()).matches("MEMBER\\s+CHECK\\s+STATUS\\s+OUTPUT");
        assertThat(table.out().lines().count()).isEqualTo(1 + 9);
        assertThat(table.out()).containsPattern("m1\\s+role\\s+passing\\s+(primary|replica)");

        JsonNode status = pgfly.status(CLUSTER);
        for (JsonNode m : status.get("members")) {
            // pg and role pass (above), so the worst is the vm check's, which may move with the host's load
            assertThat(m.get("checks").asString()).as("CHECKS of " + m.get("name")).isIn("passing", "warning");
            assertThat(statusOf(checks, m.get("name").asString())).isIn("passing", "warning");
        }
        String human = pgfly.ok("status", CLUSTER).out();
        assertThat(human).contains("CHECKS");

        // Patroni-style endpoints are still there
        String primary = status.get("leader").asString();
        for (JsonNode m : status.get("members")) {
            boolean isPrimary = m.get("name").asString().equals(primary);
            assertThat(get(m.get("api").asString() + "/primary").statusCode()).isEqualTo(isPrimary ? 200 : 503);
            assertThat(get(m.get("api").asString() + "/replica").statusCode()).isEqualTo(isPrimary ? 503 : 200);
        }
    }

    @Test
    @Order(4)
    void checksTurnCriticalWhenAReplicasPostgresDiesAndPassAfterTheAgentRestartsIt() throws Exception {
        JsonNode replica = replicas(awaitAllStreaming()).getFirst();
        String name = replica.get("name").asString();
        String checksUrl = replica.get("api").asString() + "/checks";
        long pid = replica.get("postgres_pid").asLong();

        // Poll fast from before the kill: the agent restarts PostgreSQL within a second or two.
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> timeline = new CopyOnWriteArrayList<>();
        long t0 = System.nanoTime();
        AtomicBoolean polling = new AtomicBoolean(true);
        Thread poller = Thread.ofPlatform().start(() -> {
            while (polling.get()) {
                long asked = System.nanoTime();
                String state;
                try {
                    HttpResponse<String> r = get(checksUrl);
                    JsonNode body = dev.pgfly.core.util.Json.MAPPER.readTree(r.body());
                    state = r.statusCode() + " " + body.get("status").asString() + " pg=" + checkStatus(body, "pg")
                            + " role=" + checkStatus(body, "role");
                } catch (Exception e) {
                    state = "error " + e;
                }
                seen.add(state);
                timeline.add(String.format("%+.2f s (%d ms) %s", (asked - t0) / 1e9, (System.nanoTime() - asked) / 1_000_000, state));
                sleep(30);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
            assertThat(seen.getFirst()).as("before the kill").contains("pg=passing").contains("role=passing");
            long killed = System.nanoTime();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> seen.stream().anyMatch(s -> s.startsWith("503 critical pg=critical role=critical")));
            System.out.printf("checks critical %.2f s after kill -9 of %s's PostgreSQL%n",
                    (System.nanoTime() - killed) / 1e9, name);
            int criticalAt = indexOf(seen, "503 critical pg=critical");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                    // A copy first: a sub-list of a CopyOnWriteArrayList throws when the poller adds to the
                    // list while the sub-list is read (CI, 2026-12-07).
                    .until(() -> {
                        List<String> sinceCritical = List.copyOf(seen);
                        return sinceCritical.subList(criticalAt, sinceCritical.size()).stream()
                                .anyMatch(s -> s.startsWith("200 ") && s.contains("pg=passing role=passing"));
                    });
            System.out.printf("checks passing again %.2f s after the kill%n", (System.nanoTime() - killed) / 1e9);
        } finally {
            polling.set(false);
            poller.join();
            // the transitions as the poller saw them (time since the poller started, request duration)
            String previous = "";
            for (String entry : timeline) {
                String state = entry.substring(entry.indexOf(") ") + 2);
                if (!state.equals(previous)) {
                    System.out.println("  " + entry);
                    previous = state;
                }
            }
        }

        JsonNode after = awaitAllStreaming();
        long newPid = 0;
        for (JsonNode m : after.get("members")) {
            if (m.get("name").asString().equals(name)) {
                newPid = m.get("postgres_pid").asLong();
            }
        }
        assertThat(newPid).as("a new postmaster").isPositive().isNotEqualTo(pid);
        assertThat(PromText.parse(get(replica.get("api").asString() + "/metrics").body()).value("pg_up")).contains(1.0);
        assertThat(events()).anySatisfy(e -> {
            assertThat(e.get("kind").asString()).isEqualTo("restart");
            assertThat(e.get("member").asString()).isEqualTo(name);
            assertThat(e.get("reason").asString()).contains("pid " + pid).contains("without the agent stopping it");
            assertThat(e.get("term").asLong()).isPositive();
            assertThat(e.get("time").asLong()).isPositive();
        });
    }

    @Test
    @Order(5)
    void aRestartedAgentIsRecordedInTheHistory() throws Exception {
        JsonNode replica = replicas(awaitAllStreaming()).getLast();
        String name = replica.get("name").asString();
        long agentPid = replica.get("agent_pid").asLong();
        ProcessHandle.of(agentPid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> events().stream()
                .anyMatch(e -> e.get("kind").asString().equals("restart") && e.get("member").asString().equals(name)
                        && e.get("reason").asString().contains("agent (pid " + agentPid + ")")
                        && e.get("reason").asString().contains("the daemon restarted it")));
        awaitAllStreaming();
    }

    @Test
    @Order(6)
    void logsArePrefixedAndFollowShowsANewLineWithinASecond() throws Exception {
        Pgfly.Result logs = pgfly.ok("logs", CLUSTER, "--lines", "5");
        List<String> lines = logs.out().lines().toList();
        assertThat(lines).isNotEmpty().allMatch(l -> l.matches("m[1-3]( agent)?\\s* \\| .*"), "prefixed with a member");
        for (String m : List.of("m1", "m2", "m3")) {
            assertThat(lines).anyMatch(l -> l.startsWith(m + " ") && !l.startsWith(m + " agent"));
            assertThat(lines).anyMatch(l -> l.startsWith(m + " agent |"));
        }
        assertThat(pgfly.ok("logs", CLUSTER, "--member", "m2", "--source", "postgres", "--lines", "3").out().lines())
                .hasSize(3).allMatch(l -> l.startsWith("m2 | "));
        assertThat(pgfly.ok("logs", CLUSTER, "--member", "m2", "--source", "agent").out().lines())
                .isNotEmpty().allMatch(l -> l.startsWith("m2 agent | "));
        Pgfly.Result bad = pgfly.run("logs", CLUSTER, "--member", "m9");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err().strip()).contains("m9").doesNotContain("\n");

        JsonNode status = pgfly.status(CLUSTER);
        String primary = status.get("leader").asString();
        JsonNode p = null;
        for (JsonNode m : status.get("members")) {
            if (m.get("name").asString().equals(primary)) {
                p = m;
            }
        }
        Process follow = pgfly.start("logs", CLUSTER, "--follow", "--lines", "1", "--source", "postgres");
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.add(line);
                }
            } catch (Exception ignored) {
                // the process was ended
            }
        });
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> out.size() >= 3); // one line per member: following
            String user = "obs_probe_" + System.nanoTime();
            failLogin(p.get("host").asString(), p.get("port").asInt(), user);
            long loggedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> out.stream().anyMatch(l -> l.contains(user)));
            double seconds = (System.nanoTime() - loggedAt) / 1e9;
            System.out.printf("logs --follow showed the new line after %.3f s%n", seconds);
            assertThat(seconds).as("seconds until the new line showed").isLessThan(1.0);
            assertThat(out.stream().filter(l -> l.contains(user)).findFirst().orElseThrow())
                    .startsWith(primary + " | ").contains("password authentication failed");
        } finally {
            follow.destroy();
            if (!follow.waitFor(10, TimeUnit.SECONDS)) {
                follow.destroyForcibly().waitFor();
            }
            reader.join(5000);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void failLogin(String host, int port, String user) {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", "wrong");
        props.setProperty("connectTimeout", "5");
        try (Connection ignored = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", props)) {
            throw new AssertionError("logged in as " + user);
        } catch (SQLException expected) {
            assertThat(expected.getMessage()).contains("password authentication failed");
        }
    }

    private static JsonNode awaitAllStreaming() {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode s = pgfly.status(CLUSTER);
            last[0] = s;
            if (!"running".equals(s.get("state").asString())) {
                return false;
            }
            for (JsonNode m : s.get("members")) {
                if (!"passing".equals(m.get("checks").asString()) && !"warning".equals(m.get("checks").asString())) {
                    return false;
                }
            }
            return true;
        });
        return last[0];
    }

    private static List<JsonNode> replicas(JsonNode status) {
        List<JsonNode> replicas = new ArrayList<>();
        for (JsonNode m : status.get("members")) {
            if (!m.get("name").asString().equals(status.get("leader").asString())) {
                replicas.add(m);
            }
        }
        return replicas;
    }

    private static List<JsonNode> events() {
        List<JsonNode> events = new ArrayList<>();
        pgfly.ok("events", CLUSTER, "--json", "--limit", "200").json().forEach(events::add);
        return events;
    }

    private static String statusOf(JsonNode checks, String member) {
        for (JsonNode m : checks) {
            if (m.get("member").asString().equals(member)) {
                return m.get("status").asString();
            }
        }
        return null;
    }

    private static String checkStatus(JsonNode report, String check) {
        for (JsonNode c : report.get("checks")) {
            if (c.get("name").asString().equals(check)) {
                return c.get("status").asString();
            }
        }
        return "missing";
    }

    private static String worse(String a, String b) {
        List<String> order = List.of("passing", "warning", "critical");
        return order.indexOf(b) > order.indexOf(a) ? b : a;
    }

    private static int indexOf(List<String> seen, String prefix) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
