package dev.pgfly.core.tls;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real HTTPS server with a node's certificate, and the JDK's HTTP client with each kind of trust. */
class NodeApiTlsTest {
    private static final ClusterCa CA = ClusterCa.generate("installation a");
    private static final ClusterCa OTHER_CA = ClusterCa.generate("installation b");

    private HttpsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private int serve(ClusterCa issuer, String address) throws IOException {
        MemberCertificate node = issuer.issue("pgfly node h1", List.of(address));
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        // the node's PEM key store as InstallationTls writes it: certificate first, then the key
        server.setHttpsConfigurator(new HttpsConfigurator(
                NodeApiTls.server(node.certificatePem() + node.keyPem(), issuer.certificatePem())));
        server.createContext("/", ex -> {
            byte[] body = "pong".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    private static String get(SSLContext trust, int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v1/ping")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aClientPinningTheInstallationCaOrHoldingItReachesTheNode() throws Exception {
        int port = serve(CA, "127.0.0.1");
        assertThat(get(NodeApiTls.pinning(InstallationToken.fingerprint(CA.certificate())), port)).isEqualTo("pong");
        assertThat(get(NodeApiTls.trusting(CA.certificate()), port)).isEqualTo("pong");
    }

    @Test
    void aNodeOfAnotherCaIsRefusedByTheHandshake() throws Exception {
        int port = serve(OTHER_CA, "127.0.0.1");
        assertThatThrownBy(() -> get(NodeApiTls.pinning(InstallationToken.fingerprint(CA.certificate())), port))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> get(NodeApiTls.trusting(CA.certificate()), port)).isInstanceOf(IOException.class);
    }

    @Test
    void aCertificateForAnotherAddressIsRefusedEvenFromTheRightCa() throws Exception {
        int port = serve(CA, "10.9.9.9");
        assertThatThrownBy(() -> get(NodeApiTls.pinning(InstallationToken.fingerprint(CA.certificate())), port))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aServerChainWhoseEndIsNotTheCaOfTheLeafIsRefused() throws Exception {
        // the attacker's node certificate, from its own CA of the same name, sent with the real CA certificate
        // at the chain's end: the pin matches the last certificate, the path validation from it does not
        MemberCertificate forged = ClusterCa.generate("installation a").issue("pgfly node h1", List.of("127.0.0.1"));
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.setHttpsConfigurator(new HttpsConfigurator(
                NodeApiTls.server(forged.certificatePem() + forged.keyPem(), CA.certificatePem())));
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        assertThatThrownBy(() -> get(NodeApiTls.pinning(InstallationToken.fingerprint(CA.certificate())), port))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aKeyStoreWithoutKeyIsRefused() {
        assertThatThrownBy(() -> NodeApiTls.server(CA.certificatePem(), CA.certificatePem()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no certificate and key");
    }
}
