package dev.pgfly.node;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.node.admin.MemoryDefaults;
import dev.pgfly.node.api.CreateRequest;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.install.Installation;
import dev.pgfly.node.install.NodeRecord;
import dev.pgfly.node.install.Placement;
import dev.pgfly.postgres.OsUser;
import dev.pgfly.postgres.PgBinaries;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Hands out what clusters must not share on this host: cluster indexes, member addresses, proxy and
 * metrics ports, data directories. Allocation holds one host-wide lock, and saves the record it
 * changed before letting go, so that two creates never pick the same port.
 */
final class Allocation {
    private static final int PROXY_METRICS_PORT_FROM = 19432;

    private final Object lock = new Object();
    private final PgflyHome home;
    private final ClusterRecords records;
    private final HostClaims claims;
    private final String addressPrefix;
    private final ThisNode thisNode;
    private final Installation installation;

    Allocation(PgflyHome home, ClusterRecords records, ThisNode thisNode, Installation installation) {
        this.home = home;
        this.records = records;
        this.thisNode = thisNode;
        this.installation = installation;
        this.claims = HostClaims.forHome(home.root());
        this.addressPrefix = "127." + claims.addressBlock(home.root().resolve("address-block"), preferredAddressBlock(home)) + ".";
    }

    /**
     * Members get addresses 127.N.CLUSTER.MEMBER. N is claimed host-wide ({@link HostClaims}), so that two
     * homes on one host (a user's and a test's) never hand out the same address; the home directory's
     * hash is the first choice, which is what homes made before the claims have.
     */
    static int preferredAddressBlock(PgflyHome home) {
        return HostClaims.FIRST_BLOCK + Math.floorMod(home.root().toString().hashCode(), HostClaims.BLOCKS);
    }

    /** A new cluster's record, completed by {@code complete} and saved under the allocation lock. */
    LocalCluster newCluster(CreateRequest req, String config, int members, String region, PgBinaries bin,
                            UnaryOperator<LocalCluster> complete) throws IOException {
        synchronized (lock) {
            LocalCluster cluster = complete.apply(allocate(req, config, members, region, bin));
            records.save(cluster);
            return cluster;
        }
    }

    private LocalCluster allocate(CreateRequest req, String config, int members, String region, PgBinaries bin) {
        if (installation != null) {
            return allocatePlaced(req, config, members, region, bin);
        }
        List<LocalCluster> existing = records.all();
        Set<Integer> indexes = new HashSet<>();
        Set<Integer> proxyPorts = new HashSet<>();
        for (LocalCluster c : existing) {
            indexes.add(c.index());
            proxyPorts.addAll(proxyPortsOf(c));
        }
        int index = 1;
        while (indexes.contains(index)) {
            index++;
        }
        if (index > 250) {
            throw new IllegalStateException("too many clusters on this host (250)");
        }
        int proxyPort;
        if (req.port() > 0) {
            if (!claims.tryClaim("127.0.0.1", req.port(), 2, proxyPorts, Ports::isFree)) {
                throw new IllegalArgumentException("port " + req.port() + " (or " + (req.port() + 1)
                        + " for replicas) is already in use");
            }
            proxyPort = req.port();
        } else {
            proxyPort = freeProxyPort(proxyPorts);
        }
        List<MemberSpec> specs = new ArrayList<>();
        for (int k = 1; k <= members; k++) {
            specs.add(newMember(index, k, region));
        }
        ClusterSpec spec = new ClusterSpec(req.name(), config, region, req.synchronous(),
                ClusterSpec.DEFAULT_MAX_LAG_BYTES, "127.0.0.1", proxyPort, proxyPort + 1, bin.majorVersion(), specs,
                MemoryDefaults.forHost(hostMemoryBytes(), members), req.idleTimeoutSeconds());
        Set<Integer> taken = new HashSet<>(proxyPorts);
        existing.forEach(c -> taken.add(c.proxyMetricsPort()));
        return new LocalCluster(spec, true, index, dataRootFor(req.name()).toString(), bin.binDir().toString(),
                pickProxyMetricsPort(taken));
    }

    // ------------------------------------------------------------------ an installation of several nodes

    /**
     * A cluster whose members run on the installation's nodes ({@link Placement}). Each member listens on its
     * node's address; ports follow from the cluster's index, the same on every node, since no node can ask
     * another which of its ports are free: pg 20000+10i+k, API 21000+10i+k, proxy 16432+2(i-1) (+1 replicas).
     */
    private LocalCluster allocatePlaced(CreateRequest req, String config, int members, String region, PgBinaries bin) {
        List<LocalCluster> existing = records.all();
        Set<Integer> indexes = new HashSet<>();
        existing.forEach(c -> indexes.add(c.index()));
        int index = 1;
        while (indexes.contains(index)) {
            index++;
        }
        if (index > 250) {
            throw new IllegalStateException("too many clusters in this installation (250)");
        }
        // A restore unpacks on this node: its first member must run here (the others clone from it).
        List<String> nodes = req.restore() != null
                ? placed(Placement.placeFirstOn(candidates(existing), members, region, thisNode.name(), req.sameHost()))
                : placeMembers(existing, members, region, Set.of(), null, req.sameHost());
        Map<String, String> placement = new java.util.TreeMap<>();
        List<MemberSpec> specs = new ArrayList<>();
        for (int k = 1; k <= members; k++) {
            MemberSpec m = placedMember(index, k, region, nodeRecord(nodes.get(k - 1)));
            specs.add(m);
            placement.put(m.name(), nodes.get(k - 1));
        }
        int proxyPort = req.port() > 0 ? req.port() : 16432 + 2 * (index - 1);
        ClusterSpec spec = new ClusterSpec(req.name(), config, region, req.synchronous(),
                ClusterSpec.DEFAULT_MAX_LAG_BYTES, thisNode.address(), proxyPort, proxyPort + 1, bin.majorVersion(), specs,
                MemoryDefaults.forHost(hostMemoryBytes(), 1), req.idleTimeoutSeconds());
        return new LocalCluster(spec, true, index, thisNode.installationDataRoot(req.name()).toString(),
                bin.binDir().toString(), placedProxyMetricsPort(index), Map.of(), placement);
    }

    /**
     * The /metrics port of an installation's proxies for cluster {@code index}: from the index, the same on every
     * node, as the proxy's own ports are (no node can ask another which of its ports are free).
     */
    static int placedProxyMetricsPort(int index) {
        return PROXY_METRICS_PORT_FROM + index - 1;
    }

    /** Member {@code k} of cluster {@code index} on {@code node}: the node's address, ports from the index. */
    static MemberSpec placedMember(int index, int k, String region, NodeRecord node) {
        return new MemberSpec("m" + k, node.address(), 20000 + 10 * index + k, 21000 + 10 * index + k, region, MemberSpec.DEFAULT_PRIORITY, false);
    }

    /** Nodes for {@code count} new members, or a one-line refusal (as an IllegalArgumentException). */
    List<String> placeMembers(List<LocalCluster> existing, int count, String region, Set<String> taken, String onNode,
                              boolean sameHost) {
        return placed(Placement.place(candidates(existing), count, region, taken, onNode, sameHost));
    }

    private static List<String> placed(Placement.Outcome outcome) {
        return switch (outcome) {
            case Placement.Placed placed -> placed.nodes();
            case Placement.Refused refused -> throw new IllegalArgumentException(refused.reason());
        };
    }

    /** Every node of the installation, whether it is up, and how many members it runs now. */
    private List<Placement.Candidate> candidates(List<LocalCluster> existing) {
        Map<String, Integer> load = new java.util.HashMap<>();
        existing.forEach(c -> c.placement().values().forEach(n -> load.merge(n, 1, Integer::sum)));
        List<Placement.Candidate> candidates = new ArrayList<>();
        Set<String> up;
        try {
            up = installation.upNodes();
            for (NodeRecord n : installation.nodes()) {
                candidates.add(new Placement.Candidate(n, up.contains(n.name()), load.getOrDefault(n.name(), 0)));
            }
        } catch (Exception e) {
            throw new IllegalStateException("the coordination store is unreachable: " + e.getMessage(), e);
        }
        return candidates;
    }

    NodeRecord nodeRecord(String name) {
        try {
            return installation.node(name).orElseThrow(() -> new IllegalArgumentException("no node named '" + name + "'"));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the coordination store is unreachable: " + e.getMessage(), e);
        }
    }

    boolean placesOnNodes() {
        return installation != null;
    }

    /** A port for the proxy's /metrics, away from the proxies' own ports and other clusters' metrics. */
    private int pickProxyMetricsPort(Set<Integer> taken) {
        return claims.claimFree("127.0.0.1", PROXY_METRICS_PORT_FROM, 1, 1, taken, Ports::isFree);
    }

    /** Clusters created before proxies had metrics get a metrics port when they next start. */
    LocalCluster withProxyMetricsPort(LocalCluster cluster) throws IOException {
        if (cluster.proxyMetricsPort() > 0) {
            return cluster;
        }
        if (cluster.spansNodes()) {
            // Made before installations' proxies had metrics: the port follows from the index, so every node finds
            // the same one without writing the shared record (a write here could race a member add elsewhere).
            return cluster.withProxyMetricsPort(placedProxyMetricsPort(cluster.index()));
        }
        synchronized (lock) {
            Set<Integer> taken = new HashSet<>();
            for (LocalCluster c : records.all()) {
                taken.add(c.proxyMetricsPort());
                taken.addAll(proxyPortsOf(c));
            }
            LocalCluster updated = cluster.withProxyMetricsPort(pickProxyMetricsPort(taken));
            records.save(updated);
            return updated;
        }
    }

    /** {@code updated} with a proxy for {@code region} on free ports (added to {@code cluster}'s), saved. */
    LocalCluster withRegionProxy(LocalCluster cluster, LocalCluster updated, String region) throws IOException {
        synchronized (lock) {
            Set<Integer> taken = new HashSet<>();
            records.all().forEach(c -> taken.addAll(proxyPortsOf(c)));
            Map<String, Integer> proxies = new java.util.TreeMap<>(cluster.regionProxies());
            proxies.put(region, freeProxyPort(taken));
            LocalCluster withProxy = updated.withRegionProxies(proxies);
            records.save(withProxy);
            return withProxy;
        }
    }

    /**
     * {@code cluster} with {@code pooler} (null: none), its pooled port chosen when it has none yet, saved. On
     * one host the port is the first free one from 6432 (PgBouncer's own default) up; in an installation it
     * follows from the cluster's index like the proxy's (6432+i-1), the same on every node.
     */
    LocalCluster withPooler(LocalCluster cluster, dev.pgfly.core.model.PoolerSpec pooler) throws IOException {
        synchronized (lock) {
            dev.pgfly.core.model.PoolerSpec placed = pooler;
            if (pooler != null && pooler.port() == 0) {
                int port;
                if (cluster.spansNodes() || installation != null) {
                    port = POOLER_PORT_FROM + cluster.index() - 1;
                } else {
                    Set<Integer> taken = new HashSet<>();
                    for (LocalCluster c : records.all()) {
                        taken.addAll(proxyPortsOf(c));
                        taken.add(c.proxyMetricsPort());
                    }
                    port = claims.claimFree("127.0.0.1", POOLER_PORT_FROM, 1, 1, taken, Ports::isFree);
                }
                placed = pooler.withPort(port);
            }
            LocalCluster updated = cluster.withSpec(cluster.spec().withPooler(placed));
            records.save(updated);
            return updated;
        }
    }

    static final int POOLER_PORT_FROM = 6432;

    private static Set<Integer> proxyPortsOf(LocalCluster c) {
        Set<Integer> ports = new HashSet<>(Set.of(c.spec().proxyPort(), c.spec().replicaPort()));
        if (c.spec().pooler() != null && c.spec().pooler().port() > 0) {
            ports.add(c.spec().pooler().port());
        }
        c.regionProxies().values().forEach(p -> {
            ports.add(p);
            ports.add(p + 1);
        });
        return ports;
    }

    /** A pair of free ports (primary, replica) for a proxy, from 16432 up. */
    private int freeProxyPort(Set<Integer> taken) {
        return claims.claimFree("127.0.0.1", 16432, 2, 2, taken, Ports::isFree);
    }

    /** The host's memory (the container's limit when there is one). */
    private static long hostMemoryBytes() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 4L << 30;
    }

    /** Member {@code k} of the cluster with index {@code clusterIndex}: its address, ports and region. */
    MemberSpec newMember(int clusterIndex, int k, String region) {
        String host = addressPrefix + clusterIndex + "." + k;
        int pgPort = Ports.pick(host, 5432, 15432, Set.of());
        int apiPort = Ports.pick(host, 8008, 18008, Set.of(pgPort));
        return new MemberSpec("m" + k, host, pgPort, apiPort, region, MemberSpec.DEFAULT_PRIORITY, false);
    }

    /**
     * Members' data lives under the cluster directory, unless PostgreSQL's OS user cannot reach it
     * (a root user's home): then under /var/lib/pgfly, keyed by the home directory so that two homes
     * never share data.
     */
    private Path dataRootFor(String name) throws IllegalStateException {
        Path preferred = home.clusterDir(name).resolve("members");
        OsUser user = OsUser.forPostgres();
        try {
            Files.createDirectories(home.clusterDir(name));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + home.clusterDir(name) + ": " + e.getMessage());
        }
        if (user.canReach(home.clusterDir(name))) {
            return preferred;
        }
        String key = Integer.toHexString(home.root().toString().hashCode());
        return Path.of("/var/lib/pgfly", key, name, "members");
    }
}
