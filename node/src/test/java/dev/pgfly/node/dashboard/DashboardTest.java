package dev.pgfly.node.dashboard;

import dev.pgfly.core.model.Event;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;
import dev.pgfly.node.home.PgflyHome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's server on a real HTTPS port, with a fake node behind it. */
class DashboardTest {
    private static final String NODE_TOKEN = "the-node-token";

    @TempDir
    Path dir;
    private PgflyHome home;
    private Dashboard dashboard;
    private HttpClient http;
    private volatile String leader = "a";

    @BeforeEach
    void start() throws Exception {
        home = new PgflyHome(dir.resolve("home"));
        Files.createDirectories(home.daemonDir());
        dashboard = Dashboard.start(home, "local", "127.0.0.1", 0, NODE_TOKEN, new DashboardFeed() {
            @Override
            public List<ClusterView> clusters() {
                return List.of(cluster(leader));
            }

            @Override
            public List<Event> events(String cluster, int limit) {
                return List.of(new Event(1, "switchover", "b", 2, "asked by pgfly failover"));
            }
        });
        // The client trusts only the CA the dashboard says signed it, and checks the address.
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        String caFile = DashboardInfo.read(home).orElseThrow().caFile();
        trust.setCertificateEntry("ca", ClusterCa.parseCertificate(Files.readString(Path.of(caFile))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(ssl).build();
    }

    @AfterEach
    void stop() {
        dashboard.close();
        assertThat(DashboardInfo.file(home)).as("removed when the node stops").doesNotExist();
    }

    private static ClusterView cluster(String leader) {
        List<MemberView> members = List.of("a", "b").stream().map(n -> new MemberView(n, n.equals(leader) ? "primary" : "replica",
                "running", "r", "127.0.0.1", 5432, 1L, 2L, null, "0/3000000", 1, 0, 0, false, true, null, null, null)).toList();
        return new ClusterView("shop", "ha", "running", "r", false, 2, leader, new ClusterView.Proxy("127.0.0.1:16432",
                "127.0.0.1:16433"), members, null, 0, false);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(info().pageUrl() + path.substring(1)));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private DashboardInfo info() {
        return DashboardInfo.read(home).orElseThrow();
    }

    @Test
    void theRecordSaysWhereThePageIs() {
        assertThat(info().pageUrl()).isEqualTo("https://127.0.0.1:" + dashboard.port() + "/");
        assertThat(info().pid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void thePageIsServedWithAStrictPolicyButItsDataNeedsALogin() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"/dashboard.js\"");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'")
                .contains("frame-ancestors 'none'");
        assertThat(get("/dashboard.js").headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
        assertThat(get("/api/overview").statusCode()).isEqualTo(401);
        assertThat(get("/api/overview", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/api/overview", "Cookie", Dashboard.COOKIE + "=made-up").statusCode()).isEqualTo(401);
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void aLoginLinkGivesAStrictCookieOnceAndTheCookieOpensTheData() throws Exception {
        String token = new LoginTokens(NODE_TOKEN).issue(Instant.now());
        HttpResponse<String> login = get("/login?token=" + token);
        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("Location")).hasValue("/");
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith(Dashboard.COOKIE + "=").contains("HttpOnly").contains("Secure").contains("SameSite=Strict")
                .contains("Path=/");
        assertThat(get("/login?token=" + token).statusCode()).as("a link works once").isEqualTo(401);
        assertThat(get("/login?token=" + new LoginTokens("other").issue(Instant.now())).statusCode()).isEqualTo(401);

        String session = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> overview = get("/api/overview", "Cookie", "theme=dark; " + session);
        assertThat(overview.statusCode()).isEqualTo(200);
        JsonNode json = dev.pgfly.core.util.Json.MAPPER.readTree(overview.body());
        assertThat(json.get("node").asString()).isEqualTo("local");
        JsonNode shop = json.get("clusters").get(0);
        assertThat(shop.get("cluster").get("leader").asString()).isEqualTo("a");
        assertThat(shop.get("events").get(0).get("kind").asString()).isEqualTo("switchover");
        assertThat(shop.get("points").isArray()).isTrue();

        leader = "b";
        JsonNode again = dev.pgfly.core.util.Json.MAPPER.readTree(get("/api/overview", "Cookie", session).body());
        assertThat(again.get("clusters").get(0).get("cluster").get("leader").asString()).as("read live, not cached").isEqualTo("b");
    }

    @Test
    void theNodeTokenAlsoOpensTheDataAndNothingCanBeChanged() throws Exception {
        assertThat(get("/api/overview", "Authorization", "Bearer " + NODE_TOKEN).statusCode()).isEqualTo(200);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(info().pageUrl() + "api/overview"))
                .header("Authorization", "Bearer " + NODE_TOKEN).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void theCertificateIsKeptAcrossRestartsAndTheCaIsTheInstallationsWhenThereIsOne() throws Exception {
        Path server = home.daemonDir().resolve("dashboard").resolve(DashboardTls.SERVER_FILE);
        String first = Files.readString(server);
        DashboardTls.of(home).serverContext(List.of("127.0.0.1", "localhost"));
        assertThat(Files.readString(server)).isEqualTo(first);
        assertThat(DashboardTls.of(home).caFile()).isEqualTo(home.daemonDir().resolve("dashboard/ca.crt"));

        dev.pgfly.node.tls.InstallationTls.of(home).createCa("abc");
        DashboardTls installation = DashboardTls.of(home);
        assertThat(installation.caFile()).isEqualTo(home.daemonDir().resolve("tls/ca.crt"));
        installation.serverContext(List.of("127.0.0.1", "localhost"));
        assertThat(Files.readString(server)).as("issued again by the installation's CA").isNotEqualTo(first);
    }
}
