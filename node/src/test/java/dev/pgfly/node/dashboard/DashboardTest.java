package dev.pgfly.node.dashboard;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.MemberCertificate;
import dev.pgfly.core.tls.NodeApiTls;
import dev.pgfly.core.util.Json;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard mounted under /dashboard on a real HTTPS listener (as the node mounts it on its API's), with
 * a fake node behind it.
 */
class DashboardTest {
    private static final String NODE_TOKEN = "the-node-token";
    private static final String INSTALLATION_SECRET = "the-installation-secret";

    private Dashboard dashboard;
    private HttpsServer server;
    private HttpClient http;
    private volatile String leader = "a";

    @BeforeEach
    void start() throws Exception {
        ClusterCa ca = ClusterCa.generate("test");
        MemberCertificate cert = ca.issue("pgfly daemon", List.of("127.0.0.1"));
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.setHttpsConfigurator(new HttpsConfigurator(NodeApiTls.server(cert.certificatePem() + cert.keyPem(),
                ca.certificatePem())));
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(418, -1);
            ex.close();
        });
        dashboard = new Dashboard(null, "local", List.of(NODE_TOKEN, INSTALLATION_SECRET), new DashboardFeed() {
            @Override
            public List<ClusterView> clusters() {
                return List.of(cluster(leader));
            }

            @Override
            public List<Event> events(String cluster, int limit) {
                return List.of(new Event(1, "switchover", "b", 2, "<img src=x onerror=alert(1)> asked by pgfly failover"));
            }
        });
        server.createContext(Dashboard.PATH, dashboard);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        http = HttpClient.newBuilder().sslContext(NodeApiTls.trusting(ca.certificate())).build();
    }

    @AfterEach
    void stop() {
        dashboard.close();
        server.stop(0);
    }

    private static ClusterView cluster(String leader) {
        List<MemberView> members = List.of("a", "b").stream().map(n -> new MemberView(n, n.equals(leader) ? "primary" : "replica",
                "running", "r", "127.0.0.1", 5432, 1L, 2L, null, "0/3000000", 1, 0, 0, false, true, null, null, null)).toList();
        return new ClusterView("shop", "ha", "running", "r", false, 2, leader, new ClusterView.Proxy("127.0.0.1:16432",
                "127.0.0.1:16433"), members, null, 0, false);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageIsServedWithAStrictPolicyButItsDataNeedsALogin() throws Exception {
        HttpResponse<String> page = get("/dashboard/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"dashboard.js\"").doesNotContain("<script>");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).startsWith("default-src 'self'")
                .contains("frame-ancestors 'none'").doesNotContain("unsafe");
        assertThat(page.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control"));
        assertThat(get("/dashboard").statusCode()).as("to the slash, for the relative addresses").isEqualTo(308);
        assertThat(get("/dashboard/dashboard.js").headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
        assertThat(get("/dashboard/api/overview").statusCode()).isEqualTo(401);
        assertThat(get("/dashboard/api/overview", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/dashboard/api/overview", "Cookie", Dashboard.COOKIE + "=made-up").statusCode()).isEqualTo(401);
        assertThat(get("/dashboard/nothing").statusCode()).isEqualTo(404);
        assertThat(get("/dashboardx").statusCode()).isEqualTo(404);
    }

    @Test
    void aLoginLinkGivesAStrictCookieOnceAndTheCookieOpensTheData() throws Exception {
        String token = new LoginTokens(NODE_TOKEN).issue(Instant.now());
        HttpResponse<String> login = get("/dashboard/login?token=" + token + "&cluster=shop");
        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("Location")).hasValue("/dashboard/?cluster=shop");
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith(Dashboard.COOKIE + "=").contains("HttpOnly").contains("Secure").contains("SameSite=Strict")
                .contains("Path=/dashboard");
        assertThat(get("/dashboard/login?token=" + token).statusCode()).as("a link works once").isEqualTo(401);
        assertThat(get("/dashboard/login?token=" + new LoginTokens("other").issue(Instant.now())).statusCode()).isEqualTo(401);

        String session = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> overview = get("/dashboard/api/overview", "Cookie", "theme=dark; " + session);
        assertThat(overview.statusCode()).isEqualTo(200);
        JsonNode json = Json.MAPPER.readTree(overview.body());
        assertThat(json.get("node").asString()).isEqualTo("local");
        JsonNode shop = json.get("clusters").get(0);
        assertThat(shop.get("cluster").get("leader").asString()).isEqualTo("a");
        assertThat(shop.get("events").get(0).get("kind").asString()).isEqualTo("switchover");
        assertThat(shop.get("points").isArray()).isTrue();

        leader = "b";
        JsonNode again = Json.MAPPER.readTree(get("/dashboard/api/overview", "Cookie", session).body());
        assertThat(again.get("clusters").get(0).get("cluster").get("leader").asString()).as("read live, not cached").isEqualTo("b");
    }

    @Test
    void onlyAValidClusterNameRidesAlongInTheRedirect() throws Exception {
        HttpResponse<String> login = get("/dashboard/login?token=" + new LoginTokens(INSTALLATION_SECRET).issue(Instant.now())
                + "&cluster=%2F%2Fevil.example%2F");
        assertThat(login.statusCode()).as("the installation's token signs links too").isEqualTo(303);
        assertThat(login.headers().firstValue("Location")).hasValue("/dashboard/");
    }

    @Test
    void theNodeTokensAlsoOpenTheDataAndNothingCanBeChanged() throws Exception {
        assertThat(get("/dashboard/api/overview", "Authorization", "Bearer " + NODE_TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/dashboard/api/overview", "Authorization", "Bearer " + INSTALLATION_SECRET).statusCode()).isEqualTo(200);
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            HttpResponse<String> r;
            try {
                r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.getAddress().getPort()
                                + "/dashboard/api/overview")).header("Authorization", "Bearer " + NODE_TOKEN)
                        .method(method, method.startsWith("P") ? HttpRequest.BodyPublishers.ofString("{}")
                                : HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                throw new AssertionError(method + " got no answer", e);
            }
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control"));
        }
    }

    @Test
    void theOverviewModelCarriesTheClusterAsTheApiShowsItEventsAndChartPoints() {
        dashboard.sample();
        Map<String, Object> model = dashboard.overview(System.currentTimeMillis());
        JsonNode json = Json.MAPPER.readTree(Json.bytes(model));
        JsonNode shop = json.get("clusters").get(0);
        // the same JSON as GET /v1/clusters (pgfly status --json) for the cluster itself
        assertThat(shop.get("cluster")).isEqualTo(Json.MAPPER.readTree(Json.bytes(cluster("a"))));
        assertThat(shop.get("events").get(0).get("reason").asString()).as("kept as text: the page escapes it")
                .startsWith("<img src=x");
        assertThat(shop.get("points")).hasSize(1);
        assertThat(shop.get("points").get(0).get("write_bytes_per_second").isNull()).as("no rate from one sample").isTrue();
        assertThat(shop.get("failing_checks")).isEmpty();
        assertThat(json.get("sample_every_seconds").asInt()).isEqualTo(10);
    }
}
