package dev.pgfly.node.tls;

import dev.pgfly.core.coord.ZkTls;
import dev.pgfly.core.tls.ClusterCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstallationTlsTest {
    @TempDir
    Path dir;

    @Test
    void firstNodeMakesTheCaAJoinerKeepsItAndEachIssuesItsOwnCertificatePrivately() throws Exception {
        InstallationTls first = new InstallationTls(dir.resolve("h1"));
        assertThat(first.hasCa()).isFalse();
        first.createCa("abc");
        ZkTls tls1 = first.ensureNodeCertificate("h1", "10.0.0.1");

        InstallationTls joiner = new InstallationTls(dir.resolve("h2"));
        joiner.keepCa(first.caCertificatePem(), first.caKeyPem());
        ZkTls tls2 = joiner.ensureNodeCertificate("h2", "10.0.0.2");

        ClusterCa ca = ClusterCa.fromPem(first.caCertificatePem(), first.caKeyPem());
        X509Certificate cert2 = ClusterCa.parseCertificate(Files.readString(tls2.keyStore()));
        cert2.verify(ca.certificate().getPublicKey());
        assertThat(ClusterCa.subjectAltNames(cert2)).containsExactly("10.0.0.2");
        assertThat(Files.readString(tls2.keyStore())).contains("BEGIN CERTIFICATE").contains("BEGIN PRIVATE KEY");
        assertThat(tls1.directory()).isEqualTo(first.directory());
        for (Path file : new Path[]{tls2.keyStore(), tls2.trustStore(), joiner.directory().resolve(InstallationTls.CA_KEY_FILE)}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString()).isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(joiner.directory()))).isEqualTo("rwx------");
    }

    @Test
    void aCertificateIsKeptUntilTheAddressChanges() throws Exception {
        InstallationTls tls = new InstallationTls(dir);
        tls.createCa("abc");
        Path keyStore = tls.ensureNodeCertificate("h1", "10.0.0.1").keyStore();
        String issued = Files.readString(keyStore);
        tls.ensureNodeCertificate("h1", "10.0.0.1");
        assertThat(Files.readString(keyStore)).isEqualTo(issued);
        tls.ensureNodeCertificate("h1", "10.0.0.9");
        assertThat(ClusterCa.subjectAltNames(ClusterCa.parseCertificate(Files.readString(keyStore)))).containsExactly("10.0.0.9");
    }

    @Test
    void aCaKeyThatIsNotTheCertificatesIsRefused() {
        ClusterCa one = ClusterCa.generate("one");
        ClusterCa other = ClusterCa.generate("other");
        assertThatThrownBy(() -> new InstallationTls(dir).keepCa(one.certificatePem(), other.keyPem()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
    }
}
