package dev.pgfly.node;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;
import dev.pgfly.node.home.LocalCluster;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster and member states of {@code pgfly status}, from published statuses alone. */
class ClusterHealthTest {
    private static final MemberSpec M1 = new MemberSpec("m1", "127.9.1.1", 5432, 8008, "local", 100, false);
    private static final MemberSpec M2 = new MemberSpec("m2", "127.9.1.2", 5432, 8008, "local", 100, false);
    /** Agents 11 and 12, PostgreSQL 21 and 22: all alive unless a test says otherwise. */
    private static final Function<String, Long> AGENTS = m -> m.equals("m1") ? 11L : 12L;
    private static final Set<Long> ALL_ALIVE = Set.of(11L, 12L, 21L, 22L);

    private static LocalCluster cluster(boolean running, MemberSpec... members) {
        ClusterSpec spec = new ClusterSpec("shop", "ha", "local", false, ClusterSpec.DEFAULT_MAX_LAG_BYTES, "127.0.0.1",
                16432, 16433, 15, List.of(members), Map.of());
        return new LocalCluster(spec, running, 1, "/tmp/shop/members", "/usr/lib/postgresql/15/bin", 19432);
    }

    private static MemberStatus status(MemberSpec m, Role role, MemberState state, int timeline, boolean streaming,
                                       long agentPid, long postgresPid) {
        return new MemberStatus(m.name(), role, state, null, m.host(), m.pgPort(), m.apiUrl(), m.region(), timeline,
                0, 0, 0, 0, 0, false, streaming, null, 3, agentPid, postgresPid, 0);
    }

    private static MemberStatus primary(int timeline) {
        return status(M1, Role.PRIMARY, MemberState.RUNNING, timeline, false, 11, 21);
    }

    private static MemberStatus replica(int timeline) {
        return status(M2, Role.REPLICA, MemberState.RUNNING, timeline, true, 12, 22);
    }

    private static Optional<LeaderRecord> leader(String member) {
        return Optional.of(new LeaderRecord(member, 3, "127.9.1.1", 5432, true, 0));
    }

    private static Map<String, MemberStatus> published(MemberStatus... statuses) {
        Map<String, MemberStatus> map = new LinkedHashMap<>();
        for (MemberStatus s : statuses) {
            map.put(s.name(), s);
        }
        return map;
    }

    private static ClusterView view(LocalCluster cluster, Map<String, MemberStatus> published,
                                    Optional<LeaderRecord> leader, Set<Long> alive) {
        return ClusterHealth.view(cluster, published, leader, 3, AGENTS, alive::contains);
    }

    private static MemberView member(ClusterView v, String name) {
        return v.members().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aPrimaryAndAStreamingReplicaOnItsTimelineRun() {
        ClusterView v = view(cluster(true, M1, M2), published(primary(2), replica(2)), leader("m1"), ALL_ALIVE);
        assertThat(v.state()).isEqualTo("running");
        assertThat(v.leader()).isEqualTo("m1");
        assertThat(v.term()).isEqualTo(3);
        assertThat(member(v, "m2").state()).isEqualTo("running");
        assertThat(member(v, "m2").proxy()).as("a replica: the replica port").isEqualTo("127.0.0.1:16433");
        assertThat(member(v, "m1").proxy()).as("the primary: the primary port").isEqualTo("127.0.0.1:16432");
    }

    @Test
    void aReplicaStreamingAnOlderTimelineThanThePrimaryMakesTheClusterDegraded() {
        ClusterView v = view(cluster(true, M1, M2), published(primary(3), replica(2)), leader("m1"), ALL_ALIVE);
        assertThat(v.state()).isEqualTo("degraded");
        assertThat(member(v, "m2").state()).isEqualTo("running");
    }

    @Test
    void anIdleLeaderMakesTheClusterIdle() {
        MemberStatus idle = status(M1, Role.PRIMARY, MemberState.IDLE, 1, false, 11, 0);
        ClusterView v = view(cluster(true, M1), published(idle), leader("m1"), Set.of(11L));
        assertThat(v.state()).isEqualTo("idle");
    }

    @Test
    void aDeadAgentMakesItsMemberDownAndTheClusterDegraded() {
        ClusterView v = view(cluster(true, M1, M2), published(primary(2), replica(2)), leader("m1"),
                Set.of(11L, 21L, 22L));
        assertThat(member(v, "m2").state()).isEqualTo("agent down");
        assertThat(member(v, "m2").detail()).isNull();
        assertThat(v.state()).isEqualTo("degraded");
    }

    @Test
    void aMemberThatNeverPublishedIsDownWhileRunningAndStoppedOtherwise() {
        assertThat(member(view(cluster(true, M1, M2), published(primary(1)), leader("m1"), ALL_ALIVE), "m2").state())
                .isEqualTo("down");
        ClusterView stopped = view(cluster(false, M1, M2), published(), Optional.empty(), Set.of());
        assertThat(stopped.state()).isEqualTo("stopped");
        assertThat(member(stopped, "m1").state()).isEqualTo("stopped");
    }

    @Test
    void withoutAReadyLeaderTheClusterIsUnavailable() {
        ClusterView v = view(cluster(true, M1, M2), published(primary(1), replica(1)), Optional.empty(), ALL_ALIVE);
        assertThat(v.state()).isEqualTo("unavailable");
        assertThat(v.leader()).isNull();
    }

    @Test
    void theProxyOfThePrimaryRegionServesMetrics() {
        ClusterView v = view(cluster(true, M1), published(primary(1)), leader("m1"), ALL_ALIVE);
        assertThat(v.proxies()).hasSize(1);
        assertThat(v.proxy().metrics()).isEqualTo("http://127.0.0.1:19432/metrics");
    }

    /** The one healthy-replica rule, without a lag bound: lag is shown per member and does not degrade the cluster. */
    @Test
    void aLaggingReplicaStillCountsAsInItsRoleButACatchingUpOneDoesNot() {
        MemberStatus lagging = new MemberStatus("m2", Role.REPLICA, MemberState.RUNNING, null, M2.host(), M2.pgPort(),
                M2.apiUrl(), M2.region(), 2, 0, 0, 0, 64L * 1024 * 1024, 30, false, true, "m1", 3, 12, 22, 0);
        assertThat(view(cluster(true, M1, M2), published(primary(2), lagging), leader("m1"), ALL_ALIVE).state())
                .isEqualTo("running");
        MemberStatus catchingUp = status(M2, Role.REPLICA, MemberState.CATCHING_UP, 2, true, 12, 22);
        assertThat(view(cluster(true, M1, M2), published(primary(2), catchingUp), leader("m1"), ALL_ALIVE).state())
                .isEqualTo("degraded");
    }
}
