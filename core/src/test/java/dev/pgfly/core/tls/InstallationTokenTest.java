package dev.pgfly.core.tls;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstallationTokenTest {
    private static final ClusterCa CA = ClusterCa.generate("installation test");

    @Test
    void aWholeTokenCarriesTheCaFingerprintAndTheSecret() {
        InstallationToken token = InstallationToken.of(CA.certificate(), "Abcdefgh23456789Abcdefgh");
        assertThat(token.text()).startsWith("pgfly1-").endsWith("-Abcdefgh23456789Abcdefgh");
        InstallationToken read = InstallationToken.parse("  " + token.text() + "\n");
        assertThat(read).isEqualTo(token);
        assertThat(read.caFingerprint()).hasSize(64)
                .isEqualTo(ClusterCa.fingerprintSha256(CA.certificate()).replace(":", "").toLowerCase());
        assertThat(InstallationToken.isWhole(token.text())).isTrue();
        assertThat(token.toString()).doesNotContain(token.secret());
    }

    @Test
    void aBareSecretOrAMangledTokenIsRefusedWithTheReason() {
        assertThatThrownBy(() -> InstallationToken.parse("Abcdefgh23456789Abcdefgh"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("carries no CA fingerprint");
        assertThatThrownBy(() -> InstallationToken.parse("pgfly1-abc-Abcdefgh23456789"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed installation token");
        assertThatThrownBy(() -> InstallationToken.parse("pgfly1-" + "a".repeat(64) + "-short"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> InstallationToken.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(InstallationToken.isWhole("secret")).isFalse();
    }
}
