package dev.pgfly.testkit.hosts;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamingTest {

    @Test
    void everyObjectCarriesThePrefixAndFitsAnInterfaceName() {
        Naming naming = new Naming("pgt1a2b");
        assertThat(naming.bridge()).isEqualTo("pgt1a2bbr");
        assertThat(naming.namespace(3)).isEqualTo("pgt1a2bh3");
        assertThat(naming.bridgePort(253)).isEqualTo("pgt1a2bh253").hasSizeLessThanOrEqualTo(15);
        assertThat(naming.ruleComment()).isEqualTo("pgfly-hosts:pgt1a2b");
    }

    @Test
    void theHexDigitsPickTheSubnet() {
        Subnet subnet = new Naming("pgt1a2b").subnet();
        assertThat(subnet.cidr()).isEqualTo("10.26.43.0/24");
        assertThat(subnet.address(1)).isEqualTo("10.26.43.1");
        assertThat(subnet.bridgeAddress()).isEqualTo("10.26.43.254");
    }

    @Test
    void staleCleanupRecognisesOnlyHostsOwnNames() {
        assertThat(Naming.prefixOf("pgt1a2bbr")).contains("pgt1a2b");
        assertThat(Naming.prefixOf("pgt1a2bh12")).contains("pgt1a2b");
        assertThat(Naming.prefixOf("pgt1a2b")).contains("pgt1a2b");
        assertThat(Naming.prefixOf("eth0")).isEmpty();
        assertThat(Naming.prefixOf("pgt1a2bx")).isEmpty();
        assertThat(Naming.prefixOf("pgt1A2Bbr")).isEmpty();
        assertThat(Naming.prefixOf("xpgt1a2bbr")).isEmpty();
        assertThat(Naming.prefixOf("pgt1a2bh")).isEmpty();
    }

    @Test
    void randomPrefixesAreValid() {
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            Naming naming = Naming.random(random);
            assertThat(Naming.prefixOf(naming.bridge())).contains(naming.prefix());
        }
        assertThatThrownBy(() -> new Naming("pgtxyz1")).isInstanceOf(IllegalArgumentException.class);
    }
}
