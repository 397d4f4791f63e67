package dev.pgfly.node;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.TlsFiles;
import dev.pgfly.core.util.PrivateFiles;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.ClusterTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterTlsTest {
    @TempDir
    Path root;

    private LocalCluster cluster(boolean tls, int members) {
        List<MemberSpec> specs = new java.util.ArrayList<>();
        for (int k = 1; k <= members; k++) {
            specs.add(new MemberSpec("m" + k, "127.41.3." + k, 5432, 8008, "fra", 100, false));
        }
        return new LocalCluster(new ClusterSpec("shop", "ha", "fra", false, 1024, "127.0.0.1", 16432, 16433, 15, specs,
                Map.of()).withTls(tls), true, 3, root.resolve("data").toString(), "/usr/lib/postgresql/15/bin", 0);
    }

    @Test
    void everyMemberGetsACertificateForItsOwnAddressAndTheProxysAndOnlyOnce() throws Exception {
        PgflyHome home = new PgflyHome(root);
        Secrets.generate().writeTo(home.secretsDir("shop"));
        ClusterTls tls = new ClusterTls(home);
        tls.createCa("shop");
        LocalCluster c = cluster(true, 2);
        assertThat(tls.ensureMemberCertificates(c)).containsExactly("m1", "m2");
        assertThat(tls.ensureMemberCertificates(c)).as("nothing to renew").isEmpty();

        Path secrets = home.secretsDir("shop");
        X509Certificate m2 = ClusterCa.parseCertificate(Files.readString(TlsFiles.memberCertificate(secrets, "m2")));
        assertThat(ClusterCa.subjectAltNames(m2)).containsExactly("127.41.3.2", "127.0.0.1", "localhost");
        m2.verify(ClusterCa.parseCertificate(Files.readString(tls.publicCaFile("shop"))).getPublicKey());
        assertThat(PrivateFiles.problem(secrets)).as("keys and all stay private").isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.publicCaFile("shop")))).isEqualTo("rw-r--r--");
        assertThat(Files.readString(tls.publicCaFile("shop"))).doesNotContain("PRIVATE");

        // A member added later gets one; one removed loses its files.
        assertThat(tls.ensureMemberCertificates(cluster(true, 3))).containsExactly("m3");
        tls.forget("shop", "m3");
        assertThat(TlsFiles.memberCertificate(secrets, "m3")).doesNotExist();
        assertThat(TlsFiles.memberKey(secrets, "m3")).doesNotExist();
    }

    @Test
    void withoutTlsNothingIsIssuedAndClientsKeepTheirDefault() throws Exception {
        PgflyHome home = new PgflyHome(root);
        assertThat(new ClusterTls(home).ensureMemberCertificates(cluster(false, 2))).isEmpty();
        assertThat(ClusterTls.clientTls(home, cluster(false, 1).spec()).on()).isFalse();
        assertThat(ClusterTls.clientTls(home, cluster(true, 1).spec()).rootCert())
                .isEqualTo(TlsFiles.caCertificate(home.secretsDir("shop")));
    }

    @Test
    void aFilePathStaysReadableInAUrl() {
        assertThat(ClientAccess.queryValue("/root/.pgfly/clusters/shop/ca.crt")).isEqualTo("/root/.pgfly/clusters/shop/ca.crt");
        assertThat(ClientAccess.queryValue("/tmp/a b&c=d/ca.crt")).isEqualTo("/tmp/a%20b%26c%3Dd/ca.crt");
    }
}
