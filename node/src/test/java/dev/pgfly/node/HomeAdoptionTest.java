package dev.pgfly.node;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.install.NodeRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a one-host cluster's record becomes an installation's, and which records a node adopts. */
class HomeAdoptionTest {
    private static final NodeRecord H1 = new NodeRecord("h1", "10.0.0.5", "local", "h1", 7432, false, 1, "voter", false);

    private static LocalCluster oneHost(String name, int index, MemberSpec... members) {
        ClusterSpec spec = new ClusterSpec(name, "ha", "local", false, ClusterSpec.DEFAULT_MAX_LAG_BYTES, "127.0.0.1",
                16434, 16435, 15, List.of(members), Map.of("shared_buffers", "128MB"), 0, true);
        return new LocalCluster(spec, true, index, "/home/u/.pgfly/clusters/" + name + "/members", "/usr/lib/postgresql/15/bin",
                19433, Map.of("eu", 16440), Map.of());
    }

    private static MemberSpec member(String name, String host) {
        return new MemberSpec(name, host, 5432, 8008, "local", MemberSpec.DEFAULT_PRIORITY, false);
    }

    @Test
    void everyMemberGoesToTheNodeAtItsAddressWithTheInstallationsPortsAndTheClientPortsStay() {
        LocalCluster before = oneHost("demo", 2, member("m1", "127.9.2.1"),
                new MemberSpec("m2", "127.9.2.2", 5432, 8008, "local", 5, true, true));

        LocalCluster after = HomeAdoption.placedOnNode(before, H1);

        assertThat(after.placement()).containsExactlyInAnyOrderEntriesOf(Map.of("m1", "h1", "m2", "h1"));
        assertThat(after.spansNodes()).isTrue();
        assertThat(after.spec().members()).extracting(MemberSpec::host).containsOnly("10.0.0.5");
        assertThat(after.spec().members()).extracting(MemberSpec::pgPort).containsExactly(20021, 20022);
        assertThat(after.spec().members()).extracting(MemberSpec::apiPort).containsExactly(21021, 21022);
        MemberSpec m2 = after.spec().member("m2").orElseThrow();
        assertThat(m2.priority()).isEqualTo(5);
        assertThat(m2.noFailover()).isTrue();
        assertThat(m2.noSync()).isTrue();
        assertThat(after.spec().proxyHost()).isEqualTo("10.0.0.5");
        assertThat(after.spec().proxyPort()).isEqualTo(16434);
        assertThat(after.spec().replicaPort()).isEqualTo(16435);
        assertThat(after.spec().tls()).isTrue();
        assertThat(after.spec().settings()).isEqualTo(before.spec().settings());
        // what holds the data and the clients' other ports do not move
        assertThat(after.dataRoot()).isEqualTo(before.dataRoot());
        assertThat(after.index()).isEqualTo(2);
        assertThat(after.proxyMetricsPort()).isEqualTo(19433);
        assertThat(after.regionProxies()).isEqualTo(Map.of("eu", 16440));
        assertThat(after.running()).isTrue();
        assertThat(ClusterViews.hostRisk(after)).contains("every member runs on node h1");
    }

    @Test
    void membersNotNamedByNumberTakeTheFirstFreeNumbers() {
        LocalCluster after = HomeAdoption.placedOnNode(oneHost("odd", 1, member("m3", "127.9.1.3"),
                member("replica", "127.9.1.4"), member("m1", "127.9.1.1")), H1);
        assertThat(after.spec().members()).extracting(MemberSpec::pgPort).containsExactly(20013, 20011, 20012);
    }

    @Test
    void aClusterOfMoreMembersThanTheSchemeHasPortsForIsNotAdopted() {
        MemberSpec[] ten = new MemberSpec[10];
        for (int i = 0; i < ten.length; i++) {
            ten[i] = member("m" + (i + 1), "127.9.1." + (i + 1));
        }
        assertThatThrownBy(() -> HomeAdoption.placedOnNode(oneHost("big", 1, ten), H1))
                .hasMessageContaining("more than 9 members");
    }

    @Test
    void onlyOneHostRecordsTheStoreDoesNotHoldAreAdopted() {
        LocalCluster demo = oneHost("demo", 1, member("m1", "127.9.1.1"));
        assertThat(HomeAdoption.step(demo, Set.of())).isEqualTo(HomeAdoption.Step.ADOPT);
        assertThat(HomeAdoption.step(demo, Set.of("demo"))).isEqualTo(HomeAdoption.Step.ALREADY_IN_STORE);
        LocalCluster copy = HomeAdoption.placedOnNode(demo, H1);
        assertThat(HomeAdoption.step(copy, Set.of())).isEqualTo(HomeAdoption.Step.PLACED_COPY);
        assertThat(HomeAdoption.step(copy, Set.of("demo"))).isEqualTo(HomeAdoption.Step.ALREADY_IN_STORE);
    }

    @Test
    void aOneHostRecordIsNeverTakenForADestroyedCluster() {
        LocalCluster demo = oneHost("demo", 1, member("m1", "127.9.1.1"));
        assertThat(HomeAdoption.awaitsAdoption(Optional.of(demo))).isTrue();
        assertThat(HomeAdoption.awaitsAdoption(Optional.of(HomeAdoption.placedOnNode(demo, H1)))).isFalse();
        assertThat(HomeAdoption.awaitsAdoption(Optional.empty())).isFalse();
    }
}
