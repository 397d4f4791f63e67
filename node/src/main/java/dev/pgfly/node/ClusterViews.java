package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.ScheduledOperation;
import dev.pgfly.core.util.Pids;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.LogFile;
import dev.pgfly.node.home.LocalCluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the daemon shows of its clusters: their state read from the store ({@link ClusterHealth}), events and log files. */
final class ClusterViews {
    private static final Logger log = LoggerFactory.getLogger(ClusterViews.class);

    private final ClusterRecords records;
    private final ClusterStores stores;
    private final Supervision supervision;
    private final ThisNode thisNode;

    ClusterViews(ClusterRecords records, ClusterStores stores, Supervision supervision, ThisNode thisNode) {
        this.records = records;
        this.stores = stores;
        this.supervision = supervision;
        this.thisNode = thisNode;
    }

    List<ClusterView> list() {
        return records.all().stream().map(this::view).toList();
    }

    ClusterView status(String name) {
        return view(records.load(name));
    }

    ClusterView view(LocalCluster cluster) {
        String name = cluster.spec().name();
        Map<String, MemberStatus> published = new LinkedHashMap<>();
        Optional<LeaderRecord> leader = Optional.empty();
        long term = 0;
        String paused = null;
        List<ScheduledOperation> scheduled = List.of();
        try (ClusterStore store = stores.open(name)) {
            store.members().forEach(s -> published.put(s.name(), s));
            leader = store.leader();
            term = store.currentTerm();
            paused = store.pause().filter(p -> p.activeAt(System.currentTimeMillis()))
                    .map(p -> "paused " + p.untilText()).orElse(null);
            scheduled = ClusterSchedule.pending(store);
        } catch (RuntimeException e) {
            log.debug("store unavailable for {}: {}", name, e.toString());
        }
        // This node can ask its own kernel whether its members' processes live; another node's members are
        // as their published status says (it lapses with their agent's session).
        java.util.Set<Long> remotePids = new java.util.HashSet<>();
        published.values().stream().filter(s -> !thisNode.runs(cluster, s.name()))
                .forEach(s -> {
                    remotePids.add(s.agentPid());
                    remotePids.add(s.postgresPid());
                });
        ClusterView view = ClusterHealth.view(cluster, published, leader, term,
                m -> thisNode.runs(cluster, m) ? supervision.agentPid(name, m)
                        : Optional.ofNullable(published.get(m)).map(MemberStatus::agentPid).orElse(null),
                pid -> remotePids.contains(pid) || Pids.running(pid));
        view = view.withMembers(view.members().stream().map(m -> m.onNode(cluster.nodeOf(m.name(), thisNode.name()))
                        .servedBy(servedBy(cluster, m.role(), m.host()))).toList())
                .withHostRisk(hostRisk(cluster)).withPaused(paused).withScheduled(scheduled);
        if (cluster.spansNodes()) {
            // Every node that runs a member runs a proxy, on its own address.
            java.util.List<String> hosts = cluster.spec().members().stream().map(MemberSpec::host).distinct().toList();
            int port = cluster.spec().proxyPort();
            int metricsPort = cluster.proxyMetricsPort() > 0 ? cluster.proxyMetricsPort()
                    : Allocation.placedProxyMetricsPort(cluster.index());
            ClusterView.Proxy all = new ClusterView.Proxy(String.join(",", hosts.stream().map(h -> h + ":" + port).toList()),
                    String.join(",", hosts.stream().map(h -> h + ":" + (port + 1)).toList()), cluster.spec().primaryRegion(),
                    String.join(",", hosts.stream().map(h -> "http://" + h + ":" + metricsPort + "/metrics").toList()),
                    cluster.spec().pooler() == null ? null : String.join(",", hosts.stream()
                            .map(h -> h + ":" + cluster.spec().pooler().port()).toList()),
                    cluster.spec().pooler() == null ? null : cluster.spec().pooler().mode().pgbouncerName());
            view = view.withProxies(all, java.util.List.of(all));
        }
        return view;
    }

    /** In an installation, a member is reached through the proxy on its own node; on one host, as ClusterHealth says. */
    private static String servedByOwnNode(LocalCluster cluster, String role, String host) {
        int port = cluster.spec().proxyPort() + ("primary".equals(role) ? 0 : 1);
        return host + ":" + port;
    }

    private static String servedBy(LocalCluster cluster, String role, String host) {
        return cluster.spansNodes() ? servedByOwnNode(cluster, role, host) : null;
    }

    /** Why losing one host would lose the cluster, or null: said plainly in {@code status}. */
    static String hostRisk(LocalCluster cluster) {
        if (cluster.spec().members().size() < 2) {
            return null;
        }
        if (!cluster.spansNodes()) {
            return "every member runs on this host: the cluster does not survive the loss of the host";
        }
        java.util.Set<String> nodes = new java.util.TreeSet<>(cluster.placement().values());
        return nodes.size() < 2 ? "every member runs on node " + nodes.iterator().next()
                + ": the cluster does not survive the loss of that host" : null;
    }

    List<Event> events(String name, int limit) throws Exception {
        records.load(name);
        try (ClusterStore store = stores.open(name)) {
            return store.events(limit);
        }
    }

    /** Every member's PostgreSQL and agent log (current files; rotated copies sit beside them). */
    List<LogFile> logFiles(String name, String member) {
        LocalCluster cluster = records.load(name);
        if (member != null && cluster.spec().member(member).isEmpty()) {
            throw new NoSuchElementException404("cluster '" + name + "' has no member '" + member + "'");
        }
        List<LogFile> files = new ArrayList<>();
        for (MemberSpec m : cluster.spec().members()) {
            if (member == null || m.name().equals(member)) {
                Path dir = Supervision.memberDir(cluster, m.name());
                files.add(new LogFile(m.name(), "postgres", dir.resolve("postgres.log").toString()));
                files.add(new LogFile(m.name(), "agent", dir.resolve("agent.log").toString()));
            }
        }
        return files;
    }
}
