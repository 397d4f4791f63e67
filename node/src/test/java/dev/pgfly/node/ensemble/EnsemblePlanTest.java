package dev.pgfly.node.ensemble;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnsemblePlanTest {
    private static PeerAddress peer(int id, PeerRole role) {
        return new PeerAddress(id, "10.0.0." + id, 2888, 3888, 2181, role);
    }

    /** The roles nodes get, joining one after another into an ensemble aiming at {@code target} voters. */
    private static List<PeerRole> grow(int nodes, int target) {
        List<PeerAddress> current = new ArrayList<>();
        List<PeerRole> roles = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            PeerRole role = EnsemblePlan.roleForNewNode(current, target);
            roles.add(role);
            current.add(peer(EnsemblePlan.nextId(current), role));
        }
        return roles;
    }

    @Test
    void theFirstThreeNodesVoteAndTheRestObserve() {
        assertThat(grow(6, 3)).containsExactly(PeerRole.VOTER, PeerRole.VOTER, PeerRole.VOTER,
                PeerRole.OBSERVER, PeerRole.OBSERVER, PeerRole.OBSERVER);
    }

    @Test
    void fiveVotersWhenAsked() {
        assertThat(grow(7, 5)).containsExactly(PeerRole.VOTER, PeerRole.VOTER, PeerRole.VOTER, PeerRole.VOTER,
                PeerRole.VOTER, PeerRole.OBSERVER, PeerRole.OBSERVER);
    }

    @Test
    void aNodeJoiningAfterAVoterWasRemovedVotesAgain() {
        List<PeerAddress> current = List.of(peer(1, PeerRole.VOTER), peer(3, PeerRole.VOTER), peer(4, PeerRole.OBSERVER));

        assertThat(EnsemblePlan.roleForNewNode(current, 3)).isEqualTo(PeerRole.VOTER);
        assertThat(EnsemblePlan.nextId(current)).isEqualTo(5);
    }

    @Test
    void aMemberKeepsItsRoleWhenItRejoins() {
        List<PeerAddress> current = List.of(peer(1, PeerRole.VOTER), peer(2, PeerRole.OBSERVER));

        assertThat(EnsemblePlan.roleFor(2, current, 3)).as("an observer stays one").isEqualTo(PeerRole.OBSERVER);
        assertThat(EnsemblePlan.roleFor(1, current, 3)).isEqualTo(PeerRole.VOTER);
        assertThat(EnsemblePlan.roleFor(9, current, 3)).as("a newcomer").isEqualTo(PeerRole.VOTER);
    }

    @Test
    void theTargetIsAnOddNumberOfVoters() {
        assertThatThrownBy(() -> EnsemblePlan.roleForNewNode(List.of(), 4)).hasMessageContaining("odd");
        assertThatThrownBy(() -> EnsemblePlan.roleForNewNode(List.of(), 0)).hasMessageContaining("odd");
        assertThat(EnsemblePlan.roleForNewNode(List.of(), 1)).isEqualTo(PeerRole.VOTER);
        assertThat(EnsemblePlan.nextId(List.of())).isEqualTo(1);
    }
}
