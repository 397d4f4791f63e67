package dev.pgfly.node.ensemble;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeerAddressTest {
    @Test
    void writesZooKeepersServerLineAndReadsItBack() {
        PeerAddress peer = new PeerAddress(3, "10.0.0.3", 2888, 3888, 2181, PeerRole.VOTER);

        assertThat(peer.serverLine()).isEqualTo("server.3=10.0.0.3:2888:3888:participant;10.0.0.3:2181");
        assertThat(PeerAddress.parse(peer.serverLine())).isEqualTo(peer);
        assertThat(peer.clientAddress()).isEqualTo("10.0.0.3:2181");
    }

    @Test
    void observersAndIpv6AddressesRoundTrip() {
        PeerAddress observer = new PeerAddress(7, "fd00::7", 2888, 3888, 2181, PeerRole.OBSERVER);

        assertThat(observer.serverLine()).isEqualTo("server.7=[fd00::7]:2888:3888:observer;[fd00::7]:2181");
        assertThat(PeerAddress.parse(observer.serverLine())).isEqualTo(observer);
    }

    @Test
    void readsLinesAsZooKeeperWritesThemWithoutRoleOrClientHost() {
        assertThat(PeerAddress.parse("server.1=h1:1:2;3"))
                .isEqualTo(new PeerAddress(1, "h1", 1, 2, 3, PeerRole.VOTER));
        assertThat(PeerAddress.parse(" server.12 = h:10:11:observer;h:12 "))
                .isEqualTo(new PeerAddress(12, "h", 10, 11, 12, PeerRole.OBSERVER));
    }

    @Test
    void refusesWhatPgflyCannotUse() {
        assertThatThrownBy(() -> PeerAddress.parse("server.1=h:1:2")).hasMessageContaining("client address");
        assertThatThrownBy(() -> PeerAddress.parse("server.1=a:1:2|b:1:2;3")).hasMessageContaining("multi-address");
        assertThatThrownBy(() -> PeerAddress.parse("server.x=h:1:2;3")).hasMessageContaining("numeric id");
        assertThatThrownBy(() -> PeerAddress.parse("server.1=h:1:2:witness;3")).hasMessageContaining("witness");
        assertThatThrownBy(() -> PeerAddress.parse("version=100000000")).hasMessageContaining("not a ZooKeeper server line");
        assertThatThrownBy(() -> new PeerAddress(0, "h", 1, 2, 3, PeerRole.VOTER)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new PeerAddress(1, "h;x", 1, 2, 3, PeerRole.VOTER)).hasMessageContaining("host");
        assertThatThrownBy(() -> new PeerAddress(1, "h", 1, 2, 70000, PeerRole.VOTER)).hasMessageContaining("client port");
    }
}
