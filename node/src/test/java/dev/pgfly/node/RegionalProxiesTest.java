package dev.pgfly.node;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.node.home.LocalCluster;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** In an installation, each node's proxy prefers its own region's replicas, and a region's URL names its nodes. */
class RegionalProxiesTest {
    private static final LocalCluster SPREAD = cluster(Map.of("m1", "h1", "m2", "h2", "m3", "h3", "m4", "h3"),
            member("m1", "10.0.0.1", "fra"), member("m2", "10.0.0.2", "fra"), member("m3", "10.0.0.3", "ams"),
            member("m4", "10.0.0.3", "ams"));

    private static LocalCluster cluster(Map<String, String> placement, MemberSpec... members) {
        ClusterSpec spec = new ClusterSpec("shop", "ha", "fra", true, ClusterSpec.DEFAULT_MAX_LAG_BYTES, "10.0.0.1",
                16432, 16433, 15, List.of(members), Map.of(), 0, true);
        return new LocalCluster(spec, true, 1, "/var/lib/pgfly/x/shop/members", "/usr/lib/postgresql/15/bin", 19432,
                Map.of(), placement);
    }

    private static MemberSpec member(String name, String host, String region) {
        return new MemberSpec(name, host, 20011, 21011, region, MemberSpec.DEFAULT_PRIORITY, false);
    }

    private static ThisNode node(String name) {
        return new ThisNode(name, "10.0.0.9", "x");
    }

    @Test
    void aNodesProxyPrefersTheRegionOfTheMembersItRuns() {
        assertThat(node("h1").proxyRegion(SPREAD)).isEqualTo("fra");
        assertThat(node("h3").proxyRegion(SPREAD)).isEqualTo("ams");
        // a node with no member of the cluster (its proxy is not started) and a one-host cluster: the primary region
        assertThat(node("h9").proxyRegion(SPREAD)).isEqualTo("fra");
        LocalCluster oneHost = cluster(Map.of(), member("m1", "127.0.0.1", "fra"), member("m2", "127.0.0.2", "ams"));
        assertThat(ThisNode.singleHost().proxyRegion(oneHost)).isEqualTo("fra");
    }

    @Test
    void aNodeThatRunsAMemberOfThePrimaryRegionKeepsIt() {
        LocalCluster sameHost = cluster(Map.of("m1", "h1", "m2", "h1"), member("m1", "10.0.0.1", "ams"),
                member("m2", "10.0.0.1", "fra"));
        assertThat(node("h1").proxyRegion(sameHost)).isEqualTo("fra");
    }

    @Test
    void aRegionsUrlNamesTheNodesOfItsMembersOnce() {
        assertThat(ClientAccess.proxyHosts(SPREAD, null)).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(ClientAccess.proxyHosts(SPREAD, "ams")).containsExactly("10.0.0.3");
        assertThat(ClientAccess.proxyHosts(SPREAD, "fra")).containsExactly("10.0.0.1", "10.0.0.2");
        assertThatThrownBy(() -> ClientAccess.proxyHosts(SPREAD, "syd"))
                .hasMessage("cluster 'shop' has no member in region 'syd' (regions: ams, fra)");
    }
}
