package dev.pgfly.node;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.Lsn;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;
import dev.pgfly.node.home.LocalCluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongPredicate;

/**
 * The state of a cluster and of each member, as {@code pgfly status} shows it: a pure function of the
 * cluster's record, the statuses its agents published, the leader record and which processes live.
 */
final class ClusterHealth {
    private ClusterHealth() {
    }

    /**
     * @param published  each member's last published status, by member name (absent: never published)
     * @param agentPids  the pid of the agent the daemon supervises for a member, or null
     * @param alive      whether a process runs (agents and PostgreSQL are checked by pid)
     */
    static ClusterView view(LocalCluster cluster, Map<String, MemberStatus> published, Optional<LeaderRecord> leader,
                            long term, Function<String, Long> agentPids, LongPredicate alive) {
        ClusterSpec spec = cluster.spec();
        List<MemberView> members = new ArrayList<>();
        boolean allRunning = true;
        boolean idle = false;
        // A replica counts as in its role when it is a healthy replica (MemberStatus.replicaProblem, the rule
        // the proxy, backups and switchover use too): one "streaming" a timeline older than the primary's has
        // diverged and only reconnects in a loop, and does not count. Lag does not degrade the cluster: it is
        // shown per member, and under load it would make the cluster's state flap.
        int leaderTimeline = leader.map(l -> published.get(l.member())).map(MemberStatus::timeline).orElse(0);
        for (MemberSpec m : spec.members()) {
            MemberStatus s = published.get(m.name());
            Long agentPid = agentPids.apply(m.name());
            boolean isLeader = leader.map(l -> l.member().equals(m.name())).orElse(false);
            // Where a client reaches this member: the primary through the primary port (of the primary
            // region's proxy), a replica through its region's replica port.
            String servedBy = spec.proxyHost() + ":" + (isLeader ? cluster.proxyPortFor(spec.primaryRegion())
                    : cluster.proxyPortFor(m.region()) + 1);
            if (s == null) {
                allRunning = false;
                members.add(new MemberView(m.name(), "unknown", cluster.running() ? "down" : "stopped", m.region(),
                        m.host(), m.pgPort(), agentPid, null, m.apiUrl(), null, 0, 0, 0, false, false, null, servedBy, null).tagged(m.tags()));
                continue;
            }
            idle |= isLeader && s.state().isIdle();
            Optional<String> down = cluster.running() ? MemberLiveness.problem(s, agentPid, alive)
                    : Optional.empty();
            allRunning &= down.isEmpty() && s.state().isRunning() && (isLeader
                    ? s.role() == Role.PRIMARY
                    : s.isHealthyReplica(Long.MAX_VALUE, leaderTimeline));
            members.add(new MemberView(m.name(), s.role().label(), down.orElse(s.state().label()), m.region(), m.host(), m.pgPort(),
                    s.agentPid(), s.postgresPid() > 0 ? s.postgresPid() : null, m.apiUrl(),
                    Lsn.format(s.walPosition()), s.timeline(), s.lagBytes(), s.lagSeconds(), s.synchronous(),
                    s.streaming(), s.upstream(), servedBy, down.isPresent() ? null : s.detail()).tagged(m.tags()));
        }
        boolean leaderReady = leader.map(LeaderRecord::ready).orElse(false);
        String state = !cluster.running() ? "stopped" : idle ? "idle"
                : leaderReady ? (allRunning ? "running" : "degraded") : "unavailable";
        List<ClusterView.Proxy> proxies = new ArrayList<>();
        proxies.add(proxyView(cluster, spec.primaryRegion(), spec.proxyPort()));
        cluster.regionProxies().forEach((region, port) -> proxies.add(proxyView(cluster, region, port)));
        return new ClusterView(spec.name(), spec.config(), state, spec.primaryRegion(), spec.synchronous(), term,
                leader.map(LeaderRecord::member).orElse(null), proxies.getFirst(), members, proxies,
                spec.idleTimeoutSeconds(), spec.tls());
    }

    private static ClusterView.Proxy proxyView(LocalCluster cluster, String region, int port) {
        ClusterSpec spec = cluster.spec();
        boolean primaryRegion = region.equals(spec.primaryRegion());
        boolean pooled = primaryRegion && spec.pooler() != null;
        return new ClusterView.Proxy(spec.proxyHost() + ":" + port, spec.proxyHost() + ":" + (port + 1), region,
                primaryRegion && cluster.proxyMetricsPort() > 0
                        ? "http://" + spec.proxyHost() + ":" + cluster.proxyMetricsPort() + "/metrics" : null,
                pooled ? spec.proxyHost() + ":" + spec.pooler().port() : null,
                pooled ? spec.pooler().mode().pgbouncerName() : null);
    }
}
