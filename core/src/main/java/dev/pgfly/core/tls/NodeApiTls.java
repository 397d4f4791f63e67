package dev.pgfly.core.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS for the nodes' API between hosts. A node serves its certificate from the installation CA with that
 * CA behind it in the chain; a client trusts either the CA it holds (another node: {@code daemon/tls/ca.crt})
 * or, before it holds one, the CA whose fingerprint its {@link InstallationToken} names. The JDK's HTTP
 * client then also checks that the certificate names the address it called (an IP SAN: nodes are
 * addressed by IP).
 */
public final class NodeApiTls {
    private static final Pattern CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", Pattern.DOTALL);
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----.+?-----END \\1PRIVATE KEY-----", Pattern.DOTALL);
    private static final char[] IN_MEMORY = "pgfly".toCharArray();

    private NodeApiTls() {
    }

    /**
     * The server's context from the node's PEM key store (its certificate and key, in either order) and the
     * CA's certificate, which is sent along so that a client pinning the CA can find it in the chain.
     */
    public static SSLContext server(String nodeKeyAndCertificatePem, String caCertificatePem) {
        return context(keyManagers(nodeKeyAndCertificatePem, caCertificatePem), null);
    }

    /**
     * A client that presents the node's certificate and trusts only the CA: what ZooKeeper's TLS ports
     * ask of a client ({@code ssl.clientAuth=need}), for tools that talk to a peer directly.
     */
    public static SSLContext mutual(String nodeKeyAndCertificatePem, String caCertificatePem) {
        return context(keyManagers(nodeKeyAndCertificatePem, caCertificatePem),
                new TrustManager[] {anchoredAt(ClusterCa.parseCertificate(caCertificatePem))});
    }

    private static KeyManager[] keyManagers(String nodeKeyAndCertificatePem, String caCertificatePem) {
        Matcher cert = CERTIFICATE.matcher(nodeKeyAndCertificatePem);
        Matcher key = PRIVATE_KEY.matcher(nodeKeyAndCertificatePem);
        if (!cert.find() || !key.find()) {
            throw new IllegalArgumentException("the node's key store holds no certificate and key");
        }
        X509Certificate leaf = ClusterCa.parseCertificate(cert.group());
        PrivateKey privateKey = ClusterCa.parseKey(key.group());
        X509Certificate ca = ClusterCa.parseCertificate(caCertificatePem);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("node", privateKey, IN_MEMORY, new Certificate[] {leaf, ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, IN_MEMORY);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot load the node's key for TLS: " + e.getMessage(), e);
        }
    }

    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client that trusts only {@code ca} (a node calling another, or a CLI on a node's host). */
    public static SSLContext trusting(X509Certificate ca) {
        return client(anchoredAt(ca));
    }

    /**
     * A client that trusts only a CA with this fingerprint, taken from the end of the chain the server
     * sends and then used as the one anchor of an ordinary path validation.
     */
    public static SSLContext pinning(String caFingerprint) {
        return client(new PinnedCa(caFingerprint));
    }

    private static SSLContext client(X509TrustManager trust) {
        return context(null, new TrustManager[] {trust});
    }

    static X509TrustManager anchoredAt(X509Certificate ca) {
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            anchors.setCertificateEntry("installation-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(anchors);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("no X.509 trust manager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trust on a pin: the chain's last certificate must have the pinned fingerprint; then PKIX from it. */
    private record PinnedCa(String fingerprint) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the node sent no certificate");
            }
            X509Certificate root = chain[chain.length - 1];
            String seen = InstallationToken.fingerprint(root);
            if (!seen.equals(fingerprint)) {
                throw new CertificateException("the node's CA is not the installation's: its fingerprint is "
                        + seen + ", the token names " + fingerprint);
            }
            anchoredAt(root).checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client-side trust manager only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
