package dev.pgfly.node.tls;

import dev.pgfly.core.coord.ZkTls;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.InstallationToken;
import dev.pgfly.core.tls.NodeApiTls;
import dev.pgfly.core.tls.MemberCertificate;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.home.PgflyHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The installation's certificate authority and this node's certificate, for the nodes' API between hosts
 * and, with embedded peers, ZooKeeper's TLS (quorum and clients). The files, in {@code daemon/tls/} (0700, every file 0600):
 * <pre>
 *   ca.crt    the installation CA's certificate: what every peer and client trusts
 *   ca.key    the CA's private key: every node holds it (see below)
 *   node.pem  this node's private key and certificate (IP SAN: the node's address), as ZooKeeper reads a PEM
 *             key store; the node's API presents it, and so do its peer, its own client, its agents and proxies
 * </pre>
 *
 * <p>Why every node holds the CA key rather than the first node alone: no node is special. Any node admits
 * new nodes and the first one may be gone for good; a node must also re-issue its own certificate (a new
 * address, or one near its end) without asking another. The key reaches a joiner in the same answer as the
 * store's password, and that password already opens everything the key would protect (every cluster's
 * secrets and CAs are in the store), so spreading the key adds no power that a node did not have. The cost:
 * a node whose disk leaks leaks the CA; replacing it means a new CA for every node.
 */
public final class InstallationTls {
    private static final Logger log = LoggerFactory.getLogger(InstallationTls.class);
    static final String CA_KEY_FILE = "ca.key";

    private final Path dir;

    public InstallationTls(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    public static InstallationTls of(PgflyHome home) {
        return new InstallationTls(home.daemonDir().resolve("tls"));
    }

    public Path directory() {
        return dir;
    }

    /** The CA exists here (a node of an installation made before TLS has none). */
    public boolean hasCa() {
        return Files.exists(dir.resolve(ZkTls.CA_FILE)) && Files.exists(dir.resolve(CA_KEY_FILE));
    }

    /** The first node: a new CA for the installation. */
    public void createCa(String installationId) throws IOException {
        ClusterCa ca = ClusterCa.generate("installation " + installationId);
        keepCa(ca.certificatePem(), ca.keyPem());
    }

    /** A joining node: the CA it received in its join answer (checked: the key must match the certificate). */
    public void keepCa(String certificatePem, String keyPem) throws IOException {
        // a certificate signed with the key verifies against the CA certificate only if they belong together
        ClusterCa ca = ClusterCa.fromPem(certificatePem, keyPem);
        if (ca.needsRenewal(ca.issue("key check", List.of("127.0.0.1")).certificatePem(), List.of("127.0.0.1"))) {
            throw new IllegalArgumentException("the installation CA's key does not match its certificate");
        }
        createPrivateDirectory(dir);
        Secrets.writePrivate(dir.resolve(CA_KEY_FILE), keyPem);
        Secrets.writePrivate(dir.resolve(ZkTls.CA_FILE), certificatePem);
    }

    /** The whole token for this installation's secret: what `node init` and `node token` print. */
    public InstallationToken tokenFor(String secret) throws IOException {
        return InstallationToken.of(ClusterCa.parseCertificate(caCertificatePem()), secret);
    }

    /** The TLS context of the node's API on its address: this node's certificate, the CA behind it. */
    public SSLContext apiServerContext() throws IOException {
        return NodeApiTls.server(Files.readString(dir.resolve(ZkTls.KEY_AND_CERTIFICATE_FILE)), caCertificatePem());
    }

    public String caCertificatePem() throws IOException {
        return Files.readString(dir.resolve(ZkTls.CA_FILE));
    }

    public String caKeyPem() throws IOException {
        return Files.readString(dir.resolve(CA_KEY_FILE));
    }

    /**
     * This node's key and certificate for {@code address}: issued when missing, when its address changed,
     * when another CA signed it, or when it nears its end ({@link ClusterCa#RENEW_BEFORE}); kept otherwise.
     * Checked at every start; a running peer keeps the files it loaded.
     */
    public ZkTls ensureNodeCertificate(String nodeName, String address) throws IOException {
        ClusterCa ca = ClusterCa.fromPem(caCertificatePem(), caKeyPem());
        Path keyStore = dir.resolve(ZkTls.KEY_AND_CERTIFICATE_FILE);
        List<String> addresses = List.of(address);
        if (!Files.exists(keyStore) || ca.needsRenewal(Files.readString(keyStore), addresses)) {
            MemberCertificate issued = ca.issue("pgfly node " + nodeName, addresses);
            // certificate first: ClusterCa.needsRenewal reads the first PEM block; ZooKeeper finds both
            Secrets.writePrivate(keyStore, issued.certificatePem() + issued.keyPem());
            log.info("issued node {}'s certificate for {} from the installation CA", nodeName, address);
        }
        return ZkTls.in(dir);
    }

    private static void createPrivateDirectory(Path path) throws IOException {
        Files.createDirectories(path);
        if (Files.getFileAttributeView(path, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
