package dev.pgfly.testkit.hosts;

import dev.pgfly.core.tls.InstallationToken;
import dev.pgfly.core.tls.NodeApiTls;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The nodes' API as another host calls it: HTTPS, trusting only the CA the installation's token names, with
 * the token's secret as the bearer. Tests and the host campaign read cluster state through it instead of
 * starting a CLI JVM per call.
 */
public final class NodeApi {
    private final InstallationToken token;
    private final HttpClient http;

    public NodeApi(String wholeToken) {
        this.token = InstallationToken.parse(wholeToken);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                .sslContext(NodeApiTls.pinning(token.caFingerprint())).build();
    }

    /** {@code method path} on the node at {@code address:port}; the answer whatever its status. */
    public HttpResponse<String> call(String address, int port, String method, String path, Duration timeout)
            throws IOException, InterruptedException {
        return send(request(address, port, path).timeout(timeout).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    /** A request to {@code https://address:port/path} with the bearer, to finish (method, body) and send. */
    public HttpRequest.Builder request(String address, int port, String path) {
        return HttpRequest.newBuilder(URI.create("https://" + address + ":" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token.secret());
    }

    /** Sends through the pinned TLS client: also for requests built without the bearer. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
