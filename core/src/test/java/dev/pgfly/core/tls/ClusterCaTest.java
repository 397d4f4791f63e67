package dev.pgfly.core.tls;

import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterCaTest {
    private static final List<String> ADDRESSES = List.of("127.41.3.2", "127.0.0.1", "localhost");

    @Test
    void caIsACaThatMaySignCertificatesOnly() throws Exception {
        ClusterCa ca = ClusterCa.generate("shop");
        X509Certificate c = parse(ca.certificatePem());
        assertThat(c.getSubjectX500Principal().getName()).contains("CN=pgfly shop CA");
        assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
        assertThat(c.getBasicConstraints()).as("CA:true, path length 0").isEqualTo(0);
        assertThat(c.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        boolean[] usage = c.getKeyUsage();
        assertThat(usage[5]).as("keyCertSign").isTrue();
        assertThat(usage[0]).as("digitalSignature").isFalse();
        assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(c.getNotAfter().toInstant()).isAfter(Instant.now().plus(365 * 19, ChronoUnit.DAYS));
        c.verify(c.getPublicKey());
    }

    @Test
    void memberCertificateChainsToTheCaAndNamesEveryAddress() throws Exception {
        ClusterCa ca = ClusterCa.generate("shop");
        MemberCertificate m = ca.issue("pgfly shop m2", ADDRESSES);
        X509Certificate leaf = parse(m.certificatePem());
        X509Certificate root = parse(ca.certificatePem());

        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);

        assertThat(leaf.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        assertThat(leaf.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(7, "127.41.3.2"), List.of(7, "127.0.0.1"), List.of(2, "localhost"));
        assertThat(leaf.getNotAfter()).isBeforeOrEqualTo(root.getNotAfter());

        // The key in the PEM is the certificate's.
        PrivateKey key = ClusterCa.parseKey(m.keyPem());
        assertThat(m.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key);
        s.update("x".getBytes(StandardCharsets.UTF_8));
        byte[] sig = s.sign();
        s.initVerify(leaf.getPublicKey());
        s.update("x".getBytes(StandardCharsets.UTF_8));
        assertThat(s.verify(sig)).isTrue();
    }

    @Test
    void aCaReadBackFromItsPemSignsCertificatesTheOriginalTrusts() throws Exception {
        ClusterCa ca = ClusterCa.generate("shop");
        ClusterCa again = ClusterCa.fromPem(ca.certificatePem(), ca.keyPem());
        X509Certificate leaf = parse(again.issue("m1", List.of("127.0.0.1")).certificatePem());
        leaf.verify(ca.certificate().getPublicKey());
        assertThat(ClusterCa.fingerprintSha256(again.certificate())).isEqualTo(ClusterCa.fingerprintSha256(ca.certificate()))
                .matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    }

    @Test
    void renewalWhenAnAddressIsMissingOrTheIssuerIsAnother() {
        ClusterCa ca = ClusterCa.generate("shop");
        String pem = ca.issue("m1", ADDRESSES).certificatePem();
        assertThat(ca.needsRenewal(pem, ADDRESSES)).isFalse();
        assertThat(ca.needsRenewal(pem, List.of("127.41.3.2", "127.0.0.1"))).isFalse();
        assertThat(ca.needsRenewal(pem, List.of("127.41.3.9"))).isTrue();
        assertThat(ClusterCa.generate("shop").needsRenewal(pem, ADDRESSES)).as("another CA").isTrue();
        assertThat(ca.needsRenewal("garbage", ADDRESSES)).isTrue();
    }

    @Test
    void refusesGarbage() {
        assertThatThrownBy(() -> ClusterCa.parseKey("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterCa.parseCertificate("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterCa.generate("x").issue("m1", List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    /** A real TLS handshake with host name checking, as a verify-full client does it. */
    @Test
    void aClientThatTrustsOnlyTheCaAcceptsTheMemberByAddressAndRefusesAnotherAddress() throws Exception {
        ClusterCa ca = ClusterCa.generate("shop");
        MemberCertificate m = ca.issue("m1", List.of("127.0.0.1"));
        assertThat(handshake(ca, m, "127.0.0.1")).isTrue();
        MemberCertificate elsewhere = ca.issue("m1", List.of("127.41.3.2"));
        assertThat(handshake(ca, elsewhere, "127.0.0.1")).as("127.0.0.1 not in the names").isFalse();
        assertThat(handshake(ClusterCa.generate("other"), m, "127.0.0.1")).as("another CA").isFalse();
    }

    private static boolean handshake(ClusterCa trusted, MemberCertificate server, String host) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", ClusterCa.parseKey(server.keyPem()), new char[0],
                new java.security.cert.Certificate[] {parse(server.certificatePem())});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);

        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", parse(trusted.certificatePem()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);

        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName(host))) {
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                } catch (Exception ignored) {
                    // the client's verdict is what the test reads
                }
            });
            try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory().createSocket(host, listener.getLocalPort())) {
                SSLParameters p = client.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                client.setSSLParameters(p);
                client.startHandshake();
                return true;
            } catch (javax.net.ssl.SSLException e) {
                return false;
            } finally {
                accepted.join();
            }
        }
    }

    private static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
