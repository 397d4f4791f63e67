package dev.pgfly.testkit;

import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.NodeApiTls;
import dev.pgfly.core.util.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * This host's daemon API as the CLI calls it, for tests that call it directly: HTTPS to the port in
 * {@code daemon/daemon.json}, trusting only the certificate the running daemon published in
 * {@code daemon/api.crt}, with the token of {@code daemon/token}. Read at construction: a daemon that
 * restarts has a new port, certificate and token, and needs a new instance.
 */
public final class LocalDaemonApi {
    private final int port;
    private final String token;
    private final SSLContext tls;
    private final HttpClient http;

    public LocalDaemonApi(Path home) throws IOException {
        Path daemon = home.resolve("daemon");
        this.port = Json.MAPPER.readTree(Files.readString(daemon.resolve("daemon.json"))).get("port").asInt();
        this.token = Files.readString(daemon.resolve("token")).strip();
        this.tls = NodeApiTls.trusting(ClusterCa.parseCertificate(Files.readString(daemon.resolve("api.crt"))));
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).sslContext(tls).build();
    }

    public int port() {
        return port;
    }

    public String token() {
        return token;
    }

    /** The TLS context that trusts this daemon: for raw sockets ({@code tls().getSocketFactory()}). */
    public SSLContext tls() {
        return tls;
    }

    /** {@code method path} with {@code bearer} (null: no Authorization header); the answer whatever its status. */
    public HttpResponse<String> send(String method, String path, String bearer, String body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code method path} with the daemon's own token. */
    public HttpResponse<String> send(String method, String path, String body, Duration timeout)
            throws IOException, InterruptedException {
        return send(method, path, token, body, timeout);
    }
}
