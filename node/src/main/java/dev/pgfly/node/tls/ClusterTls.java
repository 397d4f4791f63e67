package dev.pgfly.node.tls;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.MemberCertificate;
import dev.pgfly.core.tls.TlsFiles;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.postgres.PgTls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The daemon's side of a cluster's TLS: it creates the cluster's CA (the key never leaves the secrets
 * directory), issues each member's certificate there for its agent to install, re-issues one that is
 * missing an address or nears its end, and keeps a public copy of the CA certificate
 * ({@code clusters/NAME/ca.crt}) for clients' {@code sslrootcert}.
 */
public final class ClusterTls {
    private final PgflyHome home;

    public ClusterTls(PgflyHome home) {
        this.home = home;
    }

    /** The CA certificate clients may read (0644): what {@code pgfly cert} prints and URLs point to. */
    public Path publicCaFile(String cluster) {
        return home.clusterDir(cluster).resolve("ca.crt");
    }

    /**
     * How the daemon and the CLI connect to a cluster's PostgreSQL (members or proxy): verify-full
     * against the CA in the secrets directory, which only the daemon's user can replace.
     */
    public static PgTls clientTls(PgflyHome home, ClusterSpec spec) {
        return spec.tls() ? new PgTls(TlsFiles.caCertificate(home.secretsDir(spec.name()))) : PgTls.OFF;
    }

    /** A new CA for a new cluster; its certificate also goes to {@link #publicCaFile}. */
    public void createCa(String cluster) throws IOException {
        ClusterCa ca = ClusterCa.generate(cluster);
        Path secrets = home.secretsDir(cluster);
        Secrets.writePrivate(TlsFiles.caKey(secrets), ca.keyPem());
        Secrets.writePrivate(TlsFiles.caCertificate(secrets), ca.certificatePem());
        writePublic(publicCaFile(cluster), ca.certificatePem());
    }

    /** The cluster's CA, or empty when it has none (TLS off). */
    public Optional<ClusterCa> ca(String cluster) throws IOException {
        Path secrets = home.secretsDir(cluster);
        if (!Files.exists(TlsFiles.caKey(secrets))) {
            return Optional.empty();
        }
        return Optional.of(ClusterCa.fromPem(Files.readString(TlsFiles.caCertificate(secrets)),
                Files.readString(TlsFiles.caKey(secrets))));
    }

    /**
     * Issues a certificate for every member that has none, lacks one of its addresses or nears its
     * end; returns the members that got one. The agents install what changed at their next cycle and
     * reload PostgreSQL.
     */
    public List<String> ensureMemberCertificates(LocalCluster cluster) throws IOException {
        ClusterSpec spec = cluster.spec();
        if (!spec.tls()) {
            return List.of();
        }
        ClusterCa ca = ca(spec.name()).orElseThrow(() -> new IllegalStateException(
                "cluster '" + spec.name() + "' has TLS on but no CA in " + home.secretsDir(spec.name())));
        if (!Files.exists(publicCaFile(spec.name()))) {
            writePublic(publicCaFile(spec.name()), ca.certificatePem());
        }
        Path secrets = home.secretsDir(spec.name());
        List<String> issued = new java.util.ArrayList<>();
        for (MemberSpec m : spec.members()) {
            Path cert = TlsFiles.memberCertificate(secrets, m.name());
            Set<String> addresses = addresses(spec, m);
            if (Files.exists(cert) && Files.exists(TlsFiles.memberKey(secrets, m.name()))
                    && !ca.needsRenewal(Files.readString(cert), addresses)) {
                continue;
            }
            MemberCertificate c = ca.issue("pgfly " + spec.name() + " " + m.name(), addresses);
            // Key first: an agent that sees the new certificate must find its key.
            Secrets.writePrivate(TlsFiles.memberKey(secrets, m.name()), c.keyPem());
            Secrets.writePrivate(cert, c.certificatePem());
            issued.add(m.name());
        }
        return issued;
    }

    /** A removed member's certificate and key go with it. */
    public void forget(String cluster, String member) throws IOException {
        Path secrets = home.secretsDir(cluster);
        Files.deleteIfExists(TlsFiles.memberCertificate(secrets, member));
        Files.deleteIfExists(TlsFiles.memberKey(secrets, member));
    }

    /**
     * What a member's certificate names: its own address (replicas and the daemon dial it), and the
     * addresses clients dial to reach it through a proxy. Every proxy of the cluster, whatever its
     * region, listens on the cluster's proxy host; a verify-full client checks the member's
     * certificate against that host, so it must be in every member's certificate.
     */
    public static Set<String> addresses(ClusterSpec spec, MemberSpec member) {
        Set<String> a = new LinkedHashSet<>();
        a.add(member.host());
        a.add(spec.proxyHost());
        a.add("127.0.0.1");
        a.add("localhost");
        return a;
    }

    private static void writePublic(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
