package dev.pgfly.node.dashboard;

import dev.pgfly.core.coord.ZkTls;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.MemberCertificate;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.InstallationTls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The dashboard's HTTPS certificate. A node of an installation has the installation's CA (which every node
 * holds, {@link InstallationTls}): the dashboard's certificate comes from it, so a browser that trusts that
 * one CA trusts every node's dashboard. A one-host daemon has no such CA; it gets one of the same kind in
 * {@code daemon/dashboard/}, made once and kept, which signs nothing but the dashboard's certificate. The
 * certificate ({@code daemon/dashboard/server.pem}, 0600) is issued again when an address is missing, another
 * CA signed it, or it nears its end.
 */
public final class DashboardTls {
    static final String SERVER_FILE = "server.pem";

    private final Path dir;
    private final InstallationTls ca;

    private DashboardTls(Path dir, InstallationTls ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** The installation's CA when this home has one, else the host's own dashboard CA (made when missing). */
    public static DashboardTls of(PgflyHome home) throws IOException {
        Path dir = home.daemonDir().resolve("dashboard");
        InstallationTls installation = InstallationTls.of(home);
        if (installation.hasCa()) {
            return new DashboardTls(dir, installation);
        }
        InstallationTls own = new InstallationTls(dir);
        if (!own.hasCa()) {
            own.createCa("dashboard of " + home.root());
        }
        return new DashboardTls(dir, own);
    }

    /** The CA certificate a browser may be told to trust (the only public file here). */
    public Path caFile() {
        return ca.directory().resolve(ZkTls.CA_FILE);
    }

    /** The TLS context of a server known by {@code addresses}, with the certificate issued when needed. */
    public SSLContext serverContext(List<String> addresses) throws IOException {
        ClusterCa authority = ClusterCa.fromPem(ca.caCertificatePem(), ca.caKeyPem());
        Path server = dir.resolve(SERVER_FILE);
        if (!Files.exists(server) || authority.needsRenewal(Files.readString(server), addresses)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            MemberCertificate issued = authority.issue("pgfly dashboard", addresses);
            // certificate first: needsRenewal reads the first PEM block
            Secrets.writePrivate(server, issued.certificatePem() + issued.keyPem());
        }
        String pem = Files.readString(server);
        int keyStart = pem.indexOf("-----BEGIN", pem.indexOf("-----END CERTIFICATE-----"));
        X509Certificate certificate = ClusterCa.parseCertificate(pem.substring(0, keyStart));
        PrivateKey key = ClusterCa.parseKey(pem.substring(keyStart));
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("dashboard", key, password, new Certificate[] {certificate, authority.certificate()});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the dashboard's TLS: " + e.getMessage(), e);
        }
    }
}
