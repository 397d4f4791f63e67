package dev.pgfly.node.ensemble;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnsembleConfigTest {
    private final PeerAddress one = new PeerAddress(1, "127.0.0.21", 2888, 3888, 2181, PeerRole.VOTER);
    private final PeerAddress two = new PeerAddress(2, "127.0.0.22", 2888, 3888, 2181, PeerRole.VOTER);
    private final PeerAddress four = new PeerAddress(4, "127.0.0.24", 2888, 3888, 2181, PeerRole.OBSERVER);

    @Test
    void readsTheConfigNodeAsZooKeeperWritesIt() {
        String node = four.serverLine() + "\n" + one.serverLine() + "\n" + two.serverLine() + "\nversion=100000003";

        EnsembleConfig config = EnsembleConfig.parse(node);

        assertThat(config.peers()).containsExactly(one, two, four);
        assertThat(config.version()).isEqualTo(0x100000003L);
        assertThat(config.voters()).containsExactly(one, two);
        assertThat(config.peer(4)).contains(four);
        assertThat(EnsembleMembership.connectString(config.peers()))
                .isEqualTo("127.0.0.21:2181,127.0.0.22:2181,127.0.0.24:2181");
    }

    @Test
    void refusesSettingsPgflyDoesNotWrite() {
        assertThatThrownBy(() -> EnsembleConfig.parse(one.serverLine() + "\nweight.1=2\n")).hasMessageContaining("weight.1");
    }

    @Test
    void aNewPeerStartsWithTheCurrentMembersAndItself() {
        PeerAddress joining = new PeerAddress(3, "127.0.0.23", 2888, 3888, 2181, PeerRole.VOTER);

        assertThat(PeerFiles.startingMembers(joining, List.of(one, two))).containsExactly(one, two, joining);
        assertThat(PeerFiles.startingMembers(joining, List.of(one, two, joining))).containsExactly(one, two, joining);
        assertThat(PeerFiles.dynamicConfig(List.of(joining, one))).isEqualTo(one.serverLine() + "\n" + joining.serverLine() + "\n");
    }

    @Test
    void aPeerAloneVotes() {
        assertThat(PeerFiles.startingMembers(four, List.of())).containsExactly(four.withRole(PeerRole.VOTER));
    }

    @Test
    void twoPeersCannotShareAClientAddress() {
        PeerAddress clash = new PeerAddress(5, "127.0.0.21", 2999, 3999, 2181, PeerRole.VOTER);

        assertThatThrownBy(() -> PeerFiles.startingMembers(clash, List.of(one))).hasMessageContaining("client address");
    }
}
