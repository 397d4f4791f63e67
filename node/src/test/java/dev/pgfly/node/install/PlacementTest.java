package dev.pgfly.node.install;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementTest {
    private static Placement.Candidate node(String name, String zone, int members) {
        return new Placement.Candidate(new NodeRecord(name, "10.0.0." + name.charAt(1), "local", zone, 7432, false, 0, "voter", false), true, members);
    }

    @Test
    void oneMemberPerNodeSpreadOverZonesFirst() {
        var nodes = List.of(node("h1", "a", 0), node("h2", "a", 0), node("h3", "b", 0), node("h4", "c", 0));
        var out = Placement.place(nodes, 3, "local", Set.of(), null, false);
        assertThat(out).isEqualTo(new Placement.Placed(List.of("h1", "h3", "h4")));
    }

    @Test
    void leastLoadedNodesFirst() {
        var nodes = List.of(node("h1", "h1", 2), node("h2", "h2", 0), node("h3", "h3", 1));
        assertThat(Placement.place(nodes, 2, "local", Set.of(), null, false))
                .isEqualTo(new Placement.Placed(List.of("h2", "h3")));
    }

    @Test
    void fewerNodesThanMembersIsRefusedWithTheReason() {
        var nodes = List.of(node("h1", "h1", 0), node("h2", "h2", 0));
        var out = Placement.place(nodes, 3, "local", Set.of(), null, false);
        assertThat(out).isInstanceOf(Placement.Refused.class);
        assertThat(((Placement.Refused) out).reason())
                .isEqualTo("3 members need 3 nodes that take members in region local, and 2 are usable (h1, h2):"
                        + " add nodes, or pass --same-host to accept that losing one host loses the cluster");
    }

    @Test
    void sameHostFillsRoundRobin() {
        var nodes = List.of(node("h1", "h1", 0));
        assertThat(Placement.place(nodes, 3, "local", Set.of(), null, true))
                .isEqualTo(new Placement.Placed(List.of("h1", "h1", "h1")));
    }

    @Test
    void witnessesDrainedAndDownNodesTakeNothing() {
        var witness = new Placement.Candidate(new NodeRecord("w", "10.0.0.9", "local", "w", 7432, true, 3, "voter", false), true, 0);
        var drained = new Placement.Candidate(new NodeRecord("d", "10.0.0.8", "local", "d", 7432, false, 4, "observer", true), true, 0);
        var down = new Placement.Candidate(new NodeRecord("x", "10.0.0.7", "local", "x", 7432, false, 0, "client", false), false, 0);
        var nodes = List.of(node("h1", "h1", 0), witness, drained, down);
        assertThat(Placement.place(nodes, 1, "local", Set.of(), null, false)).isEqualTo(new Placement.Placed(List.of("h1")));
        assertThat(Placement.place(nodes, 2, "local", Set.of(), null, false)).isInstanceOf(Placement.Refused.class);
        assertThat(Placement.place(nodes, 1, "local", Set.of(), "w", false))
                .isEqualTo(new Placement.Refused("node 'w' is a witness: it votes in the store and holds no member"));
    }

    @Test
    void anAddedMemberAvoidsTheClusterNodes() {
        var nodes = List.of(node("h1", "h1", 1), node("h2", "h2", 1), node("h3", "h3", 5));
        assertThat(Placement.place(nodes, 1, "local", Set.of("h1", "h2"), null, false))
                .isEqualTo(new Placement.Placed(List.of("h3")));
        assertThat(Placement.place(nodes, 1, "local", Set.of("h1", "h2", "h3"), null, false))
                .isInstanceOf(Placement.Refused.class);
    }

    @Test
    void regionsKeepTheirReplicas() {
        var fra = new Placement.Candidate(new NodeRecord("f1", "10.0.1.1", "fra", "f1", 7432, false, 0, "client", false), true, 0);
        var nodes = List.of(node("h1", "h1", 0), fra);
        assertThat(Placement.place(nodes, 1, "fra", Set.of(), null, false)).isEqualTo(new Placement.Placed(List.of("f1")));
    }

    @Test
    void aRestorePutsItsFirstMemberOnTheCreatingNodeAndSpreadsTheOthers() {
        var nodes = List.of(node("h1", "h1", 0), node("h2", "h2", 0), node("h3", "h3", 5));
        assertThat(Placement.placeFirstOn(nodes, 3, "local", "h3", false))
                .isEqualTo(new Placement.Placed(List.of("h3", "h1", "h2")));
        assertThat(Placement.placeFirstOn(nodes, 1, "local", "h2", false))
                .isEqualTo(new Placement.Placed(List.of("h2")));
    }

    @Test
    void aRestoreFromANodeThatTakesNoMemberIsRefusedWithTheReason() {
        var witness = new Placement.Candidate(new NodeRecord("w", "10.0.0.9", "local", "w", 7432, true, 0, "voter", false), true, 0);
        var nodes = List.of(node("h1", "h1", 0), node("h2", "h2", 0), witness);
        var out = Placement.placeFirstOn(nodes, 2, "local", "w", false);
        assertThat(((Placement.Refused) out).reason()).isEqualTo("a restore unpacks the backup on this node, and node 'w' is a"
                + " witness: it votes in the store and holds no member");
        assertThat(Placement.placeFirstOn(nodes.subList(0, 2), 3, "local", "h1", false)).isInstanceOf(Placement.Refused.class);
    }
}
