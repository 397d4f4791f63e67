package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.tls.ClusterTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clusters' child processes: each member's agent and each region's proxy, started, stopped in a
 * safe order and restarted (by {@link ChildProcess}) when they die.
 */
final class Supervision {
    private static final Logger log = LoggerFactory.getLogger(Supervision.class);

    private final ChildLauncher launcher;
    private final ClusterStores stores;
    private final Allocation allocation;
    private final ClusterTls tls;
    private final ThisNode thisNode;
    private final Map<String, Map<String, ChildProcess>> children = new ConcurrentHashMap<>();

    Supervision(ChildLauncher launcher, ClusterStores stores, Allocation allocation, ClusterTls tls, ThisNode thisNode) {
        this.launcher = launcher;
        this.stores = stores;
        this.allocation = allocation;
        this.tls = tls;
        this.thisNode = thisNode;
        launcher.onRestart(this::childRestarted);
    }

    static Path memberDir(LocalCluster cluster, String member) {
        return Path.of(cluster.dataRoot()).resolve(member);
    }

    /**
     * Starts whichever of the cluster's agents and proxies that this node runs is not running yet (on a
     * one-host install, all of them). Synchronized: an operation and the reconciler may both ask at once.
     */
    synchronized void startChildren(LocalCluster given) throws IOException {
        LocalCluster cluster = allocation.withProxyMetricsPort(given);
        String name = cluster.spec().name();
        // Before any agent starts: a new member's certificate, or one renewed before it expires.
        List<String> issued = tls.ensureMemberCertificates(cluster);
        if (!issued.isEmpty()) {
            log.info("{}: issued TLS certificates for {}", name, issued);
        }
        Map<String, ChildProcess> running = children.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        for (MemberSpec m : cluster.spec().members()) {
            if (thisNode.runs(cluster, m.name()) && !running.containsKey(m.name())) {
                ChildProcess agent = launcher.agent(cluster, m, memberDir(cluster, m.name()));
                agent.start();
                running.put(m.name(), agent);
            }
        }
        if (!thisNode.runsProxyOf(cluster)) {
            return;
        }
        if (cluster.spec().pooler() != null && !running.containsKey(POOLER)) {
            if (java.nio.file.Files.exists(launcher.home().secretsDir(name).resolve(
                    dev.pgfly.node.pooler.Pooling.ROLE_PASSWORD_FILE))) {
                ChildProcess pooler = launcher.pooler(cluster, writePoolerFiles(cluster));
                pooler.start();
                running.put(POOLER, pooler);
            } else {
                // Its secrets come with the cluster's shared files (another node made them): never new ones
                // here, which would not match the lookup role's password. The next reconcile starts it.
                log.warn("{}: the pooler's secrets are not here yet; PgBouncer starts once they are", name);
            }
        }
        if (!running.containsKey("proxy")) {
            ChildProcess proxy = launcher.proxy(cluster);
            proxy.start();
            running.put("proxy", proxy);
        }
        for (String region : cluster.regionProxies().keySet()) {
            if (!running.containsKey("proxy-" + region)) {
                ChildProcess proxy = launcher.regionProxy(cluster, region);
                proxy.start();
                running.put("proxy-" + region, proxy);
            }
        }
    }

    /** The key of a cluster's PgBouncer among its children. */
    static final String POOLER = "pooler";

    /** Whether a child key names what clients connect to: a proxy or the pooler (stopped first). */
    private static boolean isClientFacing(String childKey) {
        return childKey.equals("proxy") || childKey.startsWith("proxy-") || childKey.equals(POOLER);
    }

    /** Whether a child key names a member's agent (not a proxy or the pooler). */
    static boolean isMember(String childKey) {
        return !isClientFacing(childKey);
    }

    /** The pooler's directory beside the members' data: in the cluster's directory, reachable by PgBouncer's user. */
    static Path poolerDir(LocalCluster cluster) {
        return Path.of(cluster.dataRoot()).resolveSibling("pooler");
    }

    private Path writePoolerFiles(LocalCluster cluster) throws IOException {
        String name = cluster.spec().name();
        Path secrets = launcher.home().secretsDir(name);
        return dev.pgfly.node.pooler.Pooling.writeFiles(poolerDir(cluster), cluster.spec(),
                thisNode.proxyListenAddress(cluster), thisNode.proxyListenAddress(cluster), secrets,
                tls.ca(name), tls.publicCaFile(name));
    }

    /**
     * The pooler was turned on, off or changed: this node's PgBouncer starts again from {@code cluster}'s record
     * (pooled clients reconnect). The proxy reads the pooler's port from the store at each scrape, so it and its
     * direct clients are left alone.
     */
    synchronized void restartPooler(LocalCluster cluster) throws IOException {
        stopChild(cluster.spec().name(), POOLER, 10);
        startChildren(cluster);
    }

    /** Proxies and the pooler first (clients see a clean close), then replicas, then the primary (no needless failover). */
    synchronized void stopChildren(String name) {
        Map<String, ChildProcess> running = children.remove(name);
        if (running == null) {
            return;
        }
        List<String> proxies = running.keySet().stream().filter(Supervision::isClientFacing).toList();
        proxies.parallelStream().forEach(key -> Optional.ofNullable(running.remove(key)).ifPresent(p -> p.stop(20)));
        String leader = null;
        try (ClusterStore store = stores.open(name)) {
            leader = store.leader().map(LeaderRecord::member).orElse(null);
        } catch (RuntimeException e) {
            log.debug("leader unknown while stopping {}", name);
        }
        String primary = leader;
        running.values().stream().filter(c -> !c.id().endsWith("/" + primary)).parallel().forEach(c -> c.stop(90));
        running.values().stream().filter(c -> c.id().endsWith("/" + primary)).forEach(c -> c.stop(90));
    }

    void stopAllChildren() {
        new ArrayList<>(children.keySet()).parallelStream().forEach(this::stopChildren);
    }

    /** The names of the children (members, {@code proxy}, {@code proxy-REGION}) this node runs for {@code cluster}. */
    java.util.Set<String> running(String cluster) {
        return Optional.ofNullable(children.get(cluster)).map(m -> java.util.Set.copyOf(m.keySet())).orElse(java.util.Set.of());
    }

    /** The clusters this node runs children of. */
    java.util.Set<String> clusters() {
        return java.util.Set.copyOf(children.keySet());
    }

    /** The pid of the member's supervised agent, or null. */
    Long agentPid(String cluster, String member) {
        return Optional.ofNullable(children.get(cluster)).map(c -> c.get(member)).flatMap(ChildProcess::pid).orElse(null);
    }

    /** Stops one child (a member's agent, or a {@code proxy-REGION}) and supervises it no more. */
    void stopChild(String cluster, String key, int graceSeconds) {
        Optional.ofNullable(children.get(cluster)).map(m -> m.remove(key)).ifPresent(p -> p.stop(graceSeconds));
    }

    /** Stops a member's agent (it stops its PostgreSQL, fast) and starts a new one from {@code cluster}'s record. */
    void replaceAgent(LocalCluster cluster, MemberSpec m) throws IOException {
        Map<String, ChildProcess> running = children.computeIfAbsent(cluster.spec().name(), n -> new ConcurrentHashMap<>());
        ChildProcess old = running.remove(m.name());
        if (old != null) {
            old.stop(90);
        }
        ChildProcess agent = launcher.agent(cluster, m, memberDir(cluster, m.name()));
        agent.start();
        running.put(m.name(), agent);
    }

    /** A supervised agent or proxy died and was started again: that belongs in the cluster's history. */
    private void childRestarted(ChildProcess.Restart restart) {
        int slash = restart.id().indexOf('/');
        String cluster = restart.id().substring(0, slash);
        String who = restart.id().substring(slash + 1);
        stores.record(cluster, "restart", who, (who.equals("proxy") || who.equals(POOLER) ? who : "agent") + " (pid " + restart.pid()
                + ") exited with code " + restart.exitCode() + "; the daemon restarted it (restart #" + restart.count() + ")");
    }
}
