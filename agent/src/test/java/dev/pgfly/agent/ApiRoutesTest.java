package dev.pgfly.agent;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent API's routing on a real JDK server, with fixed answers standing in for the member's state. */
class ApiRoutesTest {
    private HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicInteger primaryAsked = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        ApiRoutes routes = new ApiRoutes(server);
        routes.readOnly("/primary", () -> {
            primaryAsked.incrementAndGet();
            return ApiRoutes.Answer.json(503, Map.of("role", "replica"));
        });
        routes.readOnly("/replica", () -> ApiRoutes.Answer.json(200, Map.of("role", "replica")));
        routes.endpoint("/restart", ex -> { throw new IllegalStateException("not in this test"); });
        routes.notFoundElsewhere();
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        client.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void getAnswersTheStatusWithTheBody() throws Exception {
        HttpResponse<String> ok = send("GET", "/replica");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"role\":\"replica\"}");
        HttpResponse<String> no = send("GET", "/primary");
        assertThat(no.statusCode()).isEqualTo(503);
        assertThat(no.body()).isEqualTo("{\"role\":\"replica\"}");
    }

    @Test
    void optionsAnswersTheSameStatusWithoutABodyAsPatroniDoesForHaproxyChecks() throws Exception {
        HttpResponse<String> ok = send("OPTIONS", "/replica");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEmpty();
        assertThat(ok.headers().firstValue("Allow")).hasValue("GET, HEAD, OPTIONS");
        assertThat(ok.headers().firstValueAsLong("Content-Length")).hasValue(0);
        HttpResponse<String> no = send("OPTIONS", "/primary");
        assertThat(no.statusCode()).isEqualTo(503);
        assertThat(no.body()).isEmpty();
        assertThat(primaryAsked).as("the status is computed for OPTIONS too").hasValue(1);
    }

    @Test
    void headAnswersTheSameStatusWithoutABody() throws Exception {
        HttpResponse<String> ok = send("HEAD", "/replica");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEmpty();
        assertThat(send("HEAD", "/primary").statusCode()).isEqualTo(503);
    }

    @Test
    void otherMethodsAreRefusedWithOneLineOfJson() throws Exception {
        HttpResponse<String> post = send("POST", "/primary");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.body()).isEqualTo("{\"error\":\"use GET, HEAD or OPTIONS for /primary\"}");
        assertThat(primaryAsked).as("a refused method costs no probe").hasValue(0);
        assertThat(send("DELETE", "/replica").statusCode()).isEqualTo(405);
    }

    @Test
    void onlyExactPathsAnswerAndEverythingElseIs404() throws Exception {
        HttpResponse<String> sub = send("OPTIONS", "/primary/x");
        assertThat(sub.statusCode()).isEqualTo(404);
        assertThat(send("GET", "/nothing").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/").body()).isEqualTo("{\"error\":\"no such endpoint: /\"}");
    }
}
