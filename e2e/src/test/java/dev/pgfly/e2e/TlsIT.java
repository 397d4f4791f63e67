package dev.pgfly.e2e;

import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.testkit.Pgfly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * TLS for PostgreSQL: an HA cluster (TLS is on by default for ha) whose clients verify the server with
 * {@code sslmode=verify-full} and the CA from {@code pgfly cert}, through the proxy, which passes the
 * TLS negotiation through to the member; replication is encrypted too, plain connections are refused,
 * and after a switchover the new primary's certificate verifies as well. One cluster for the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsIT {
    private static final String CLUSTER = "sec";
    private static Pgfly pgfly;
    private static String password;
    private static int proxyPort;
    private static Path caFile;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        pgfly.ok("create", CLUSTER, "--config", "ha", "--members", "2");
        password = Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/secrets/superuser.password")).strip();
        proxyPort = Integer.parseInt(pgfly.status(CLUSTER).get("proxy").get("primary").asString().split(":")[1]);
        // What a client does: save the CA that `pgfly cert` prints, somewhere of its own.
        caFile = Files.createTempFile("pgfly-ca", ".crt");
        Files.writeString(caFile, pgfly.ok("cert", CLUSTER).out());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (caFile != null) {
            Files.deleteIfExists(caFile);
        }
        pgfly.close();
        assertThat(pgfly.processes()).as("processes left behind").isEmpty();
    }

    @Test
    @Order(1)
    void verifyFullWorksThroughTheProxy() throws Exception {
        JsonNode status = pgfly.status(CLUSTER);
        assertThat(status.get("tls").asBoolean()).as("on by default for ha").isTrue();
        assertThat(pgfly.ok("status", CLUSTER).out()).contains("TLS: on");
        try (Connection c = verifyFull(proxyPort, caFile)) {
            assertThat(query(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("t");
            assertThat(query(c, "SELECT NOT pg_is_in_recovery()")).isEqualTo("t");
        }
        try (Connection c = verifyFull(proxyPort + 1, caFile)) {
            assertThat(query(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).as("replica port").isEqualTo("t");
        }
        // The URL pgfly prints for verifying clients works as it is.
        String verifyUrl = pgfly.ok("url", CLUSTER, "--verify").out().strip();
        assertThat(verifyUrl).contains("sslmode=verify-full&sslrootcert=/");
        try (Connection c = DriverManager.getConnection(verifyUrl.replaceFirst("^postgres://[^@]+@", "jdbc:postgresql://"),
                "postgres", password)) {
            assertThat(query(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("t");
        }
    }

    @Test
    @Order(2)
    void certPrintsTheCaAndItsFingerprint() throws Exception {
        JsonNode json = pgfly.ok("cert", CLUSTER, "--json").json();
        assertThat(json.get("cluster").asString()).isEqualTo(CLUSTER);
        var ca = ClusterCa.parseCertificate(json.get("ca_pem").asString());
        assertThat(json.get("ca_pem").asString()).isEqualTo(Files.readString(caFile)).doesNotContain("PRIVATE");
        assertThat(ca.getBasicConstraints()).isEqualTo(0);
        assertThat(json.get("fingerprint_sha256").asString()).isEqualTo(ClusterCa.fingerprintSha256(ca));
        assertThat(json.get("not_after").asString()).isEqualTo(ca.getNotAfter().toInstant().toString());
        assertThat(pgfly.ok("cert", "--help").out()).contains("Usage").contains("--json");
        assertThat(pgfly.ok("create", "--help").out()).contains("--[no-]tls");
    }

    @Test
    @Order(3)
    void replicationConnectionsUseTls() throws Exception {
        try (Connection c = verifyFull(proxyPort, caFile)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(query(c, "SELECT count(*) || ' ' || bool_and(ssl) FROM pg_stat_ssl JOIN pg_stat_replication"
                            + " USING (pid)")).isEqualTo("1 true"));
            assertThat(query(c, "SHOW ssl")).isEqualTo("on");
            String hba = query(c, "SELECT pg_read_file(current_setting('hba_file'))");
            assertThat(hba.lines().filter(l -> !l.isBlank() && !l.startsWith("#")))
                    .as("TLS connections only; plain TCP rejected").isNotEmpty()
                    .allMatch(l -> l.startsWith("hostssl ") || (l.startsWith("hostnossl ") && l.endsWith(" reject")));
        }
    }

    @Test
    @Order(4)
    void plainConnectionsAreRefused() throws Exception {
        assertThatThrownBy(() -> connect(proxyPort, "disable", null).close()).isInstanceOf(SQLException.class)
                .hasMessageContaining("no encryption");
        JsonNode member = pgfly.status(CLUSTER).get("members").get(0);
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://" + member.get("host").asString() + ":"
                + member.get("port").asInt() + "/postgres?sslmode=disable", "postgres", password).close())
                .as("directly to a member too").isInstanceOf(SQLException.class).hasMessageContaining("no encryption");
    }

    @Test
    @Order(5)
    void verifyFullWithAnotherCaFails() throws Exception {
        Path other = Files.createTempFile("pgfly-other-ca", ".crt");
        try {
            Files.writeString(other, ClusterCa.generate(CLUSTER).certificatePem());
            assertThatThrownBy(() -> verifyFull(proxyPort, other).close()).isInstanceOf(SQLException.class)
                    .hasMessageContaining("SSL");
        } finally {
            Files.delete(other);
        }
    }

    @Test
    @Order(6)
    void keysStayPrivateAndOutOfTheDataDirectory() throws Exception {
        JsonNode status = pgfly.status(CLUSTER);
        for (JsonNode m : status.get("members")) {
            Path memberDir = memberDir(m.get("name").asString());
            Path key = memberDir.resolve("tls/server.key");
            PosixFileAttributes a = Files.readAttributes(key, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-------");
            if ("root".equals(System.getProperty("user.name"))) {
                assertThat(a.owner().getName()).as("PostgreSQL's OS user owns its key").isEqualTo("postgres");
            }
            try (var files = Files.walk(memberDir.resolve("data"))) {
                assertThat(files.filter(p -> p.getFileName().toString().endsWith(".key"))).isEmpty();
            }
        }
        Path secrets = pgfly.home().resolve("clusters/" + CLUSTER + "/secrets");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve("tls-ca.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    @Order(7)
    void afterASwitchoverTheNewPrimaryVerifiesToo() throws Exception {
        String before = pgfly.status(CLUSTER).get("leader").asString();
        pgfly.ok("failover", CLUSTER);
        JsonNode status = pgfly.status(CLUSTER);
        String after = status.get("leader").asString();
        assertThat(after).isNotEqualTo(before);
        String newHost = member(status, after).get("host").asString();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (Connection c = verifyFull(proxyPort, caFile)) {
                assertThat(query(c, "SELECT host(inet_server_addr()) || ' ' || ssl FROM pg_stat_ssl"
                        + " WHERE pid = pg_backend_pid()")).isEqualTo(newHost + " true");
            }
        });
        try (Connection c = verifyFull(proxyPort, caFile)) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(query(c, "SELECT count(*) || ' ' || bool_and(ssl) FROM pg_stat_ssl JOIN pg_stat_replication"
                            + " USING (pid)")).as("the former primary streams over TLS").isEqualTo("1 true"));
        }
    }

    @Test
    @Order(8)
    void aClusterWithoutTlsSaysSo() {
        pgfly.ok("create", "plain", "--no-tls");
        assertThat(pgfly.status("plain").get("tls").asBoolean()).isFalse();
        assertThat(pgfly.ok("status", "plain").out()).contains("TLS: off");
        for (Pgfly.Result r : new Pgfly.Result[] {pgfly.run("cert", "plain"), pgfly.run("url", "plain", "--verify")}) {
            assertThat(r.exit()).isNotZero();
            assertThat(r.err().strip()).contains("does not use TLS");
            assertThat(r.err().strip().lines().count()).as("one line: " + r.err()).isEqualTo(1);
        }
    }

    private static Connection verifyFull(int port, Path rootCert) throws SQLException {
        return connect(port, "verify-full", rootCert);
    }

    private static Connection connect(int port, String sslmode, Path rootCert) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", "30");
        p.setProperty("sslmode", sslmode);
        if (rootCert != null) {
            p.setProperty("sslrootcert", rootCert.toString());
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static JsonNode member(JsonNode status, String name) {
        for (JsonNode m : status.get("members")) {
            if (m.get("name").asString().equals(name)) {
                return m;
            }
        }
        throw new AssertionError("no member " + name);
    }

    /** Where the daemon put the member's files (cluster.json's data_root). */
    private static Path memberDir(String member) throws Exception {
        JsonNode cluster = dev.pgfly.core.util.Json.MAPPER.readTree(
                Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/cluster.json")));
        return Path.of(cluster.get("data_root").asString()).resolve(member);
    }
}
