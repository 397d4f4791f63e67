package dev.pgfly.testkit.hosts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubnetTest {
    private static final String TABLE = """
            default via 192.0.2.1 dev eth0
            192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
            10.20.0.0/16 via 192.0.2.1 dev eth0
            local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1
            local 10.30.5.254 dev pgt1e05br table local proto kernel scope host src 10.30.5.254
            broadcast 10.30.5.255 dev pgt1e05br table local proto kernel scope link src 10.30.5.254
            unreachable 10.40.7.128/25
            """;

    @Test
    void aSubnetInsideARoutedNetworkIsTaken() {
        assertThat(new Subnet(20, 99).overlapsAnyRoute(TABLE)).isTrue();
    }

    @Test
    void anotherInstancesBridgeAddressMarksItsSubnetTaken() {
        assertThat(new Subnet(30, 5).overlapsAnyRoute(TABLE)).isTrue();
    }

    @Test
    void aSmallerRouteInsideTheSubnetTakesIt() {
        assertThat(new Subnet(40, 7).overlapsAnyRoute(TABLE)).isTrue();
    }

    @Test
    void theDefaultRouteAndOtherNetworksLeaveItFree() {
        assertThat(new Subnet(20 + 1, 99).overlapsAnyRoute(TABLE)).isFalse();
        assertThat(new Subnet(30, 6).overlapsAnyRoute(TABLE)).isFalse();
        assertThat(new Subnet(1, 1).overlapsAnyRoute("")).isFalse();
    }

    @Test
    void aRouteCoveringAllOfTenTakesEverySubnet() {
        assertThat(new Subnet(200, 3).overlapsAnyRoute("10.0.0.0/8 dev wg0 scope link")).isTrue();
    }
}
