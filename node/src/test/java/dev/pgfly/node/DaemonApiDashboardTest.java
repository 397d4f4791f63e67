package dev.pgfly.node;

import dev.pgfly.core.model.Event;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.MemberCertificate;
import dev.pgfly.core.tls.NodeApiTls;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.dashboard.Dashboard;
import dev.pgfly.node.dashboard.DashboardFeed;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard mounted on the daemon's local API: its own paths open, every other still behind the token. */
class DaemonApiDashboardTest {

    @Test
    void theDashboardSharesTheApisListenerButNotItsTokenCheck() throws Exception {
        ClusterCa ca = ClusterCa.generate("test");
        MemberCertificate cert = ca.issue("pgfly daemon", List.of("127.0.0.1"));
        DaemonApi api = new DaemonApi(null, "daemon-token", () -> { }, null,
                NodeApiTls.server(cert.certificatePem() + cert.keyPem(), ca.certificatePem()));
        Dashboard dashboard = Dashboard.start(null, "local", List.of("daemon-token"), new DashboardFeed() {
            @Override
            public List<ClusterView> clusters() {
                return List.of();
            }

            @Override
            public List<Event> events(String cluster, int limit) {
                return List.of();
            }
        });
        api.serving(Dashboard.PATH, dashboard);
        HttpClient http = HttpClient.newBuilder().sslContext(NodeApiTls.trusting(ca.certificate())).build();
        try {
            String base = "https://127.0.0.1:" + api.port();
            assertThat(status(http, base + "/dashboard/", null)).isEqualTo(200);
            assertThat(status(http, base + "/dashboard/api/overview", null)).isEqualTo(401);
            assertThat(status(http, base + "/dashboard/api/overview", "daemon-token")).isEqualTo(200);
            assertThat(status(http, base + "/v1/ping", null)).as("the API keeps its token check").isEqualTo(401);
            assertThat(status(http, base + "/", null)).isEqualTo(401);
            assertThat(status(http, base + "/v1/ping", "daemon-token")).isEqualTo(200);
        } finally {
            dashboard.close();
            api.close();
        }
    }

    private static int status(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
