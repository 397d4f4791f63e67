package dev.pgfly.node;

import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.CreateRequest;
import dev.pgfly.node.api.CreateResult;
import dev.pgfly.node.api.LogFile;
import dev.pgfly.node.api.MemberView;
import dev.pgfly.node.api.RestartResult;
import dev.pgfly.node.api.SettingsUpdate;
import dev.pgfly.node.api.SettingsView;
import dev.pgfly.node.admin.MemoryDefaults;
import dev.pgfly.node.api.RestoreRequest;
import dev.pgfly.node.backup.BackupSettings;
import dev.pgfly.node.backup.ClusterBackups;
import dev.pgfly.backup.Progress;
import dev.pgfly.backup.RecoveryTarget;
import dev.pgfly.backup.SnapshotManifest;
import dev.pgfly.backup.store.StoreSettings;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.ZkClusterStore;
import dev.pgfly.core.ha.Timelines;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.Lsn;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.Names;
import dev.pgfly.core.util.Pids;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.postgres.OsUser;
import dev.pgfly.postgres.PgBinaries;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgLogin;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The daemon's clusters: creates them (addresses, ports, secrets, configuration), runs their agents
 * and proxies as supervised child processes, and answers for their state. Every operation on one
 * cluster holds that cluster's lock; allocation of addresses and ports holds a global one.
 */
final class ClusterManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterManager.class);
    private static final long READY_TIMEOUT_MILLIS = 120_000;
    private static final int PROXY_METRICS_PORT_FROM = 19432;

    private final PgflyHome home;
    private final CuratorFramework client;
    private final DcsAddress dcs;
    private final ChildLauncher launcher;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Map<String, ChildProcess>> children = new ConcurrentHashMap<>();
    private final Object allocation = new Object();
    private final HostClaims claims;
    private final String addressPrefix;
    private final ClusterBackups backups;
    private final ClusterTls tls;

    ClusterManager(PgflyHome home, CuratorFramework client, DcsAddress dcs, ChildLauncher launcher) {
        this.home = home;
        this.client = client;
        this.dcs = dcs;
        this.launcher = launcher;
        this.claims = HostClaims.forHome(home.root());
        this.addressPrefix = "127." + claims.addressBlock(home.root().resolve("address-block"), preferredAddressBlock(home)) + ".";
        launcher.onRestart(this::childRestarted);
        this.backups = new ClusterBackups(home);
        this.tls = new ClusterTls(home);
    }

    /**
     * Members get addresses 127.N.CLUSTER.MEMBER. N is claimed host-wide ({@link HostClaims}), so that two
     * homes on one host (a user's and a test's) never hand out the same address; the home directory's
     * hash is the first choice, which is what homes made before the claims have.
     */
    static int preferredAddressBlock(PgflyHome home) {
        return HostClaims.FIRST_BLOCK + Math.floorMod(home.root().toString().hashCode(), HostClaims.BLOCKS);
    }

    private ClusterStore store(String name) {
        return new ZkClusterStore(client, dcs.root(), name, false);
    }

    private <T> T locked(String name, java.util.concurrent.Callable<T> action) throws Exception {
        ReentrantLock lock = locks.computeIfAbsent(name, n -> new ReentrantLock());
        lock.lock();
        try {
            return action.call();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ create

    CreateResult create(CreateRequest req) throws Exception {
        Names.requireClusterName(req.name());
        req.requireSaneNumbers();
        String config = req.config() == null ? "dev" : req.config();
        if (!config.equals("dev") && !config.equals("ha")) {
            throw new IllegalArgumentException("unknown config '" + config + "': use dev or ha");
        }
        int members = req.members() > 0 ? req.members() : (config.equals("ha") ? 3 : 1);
        if (members > 9) {
            throw new IllegalArgumentException("at most 9 members in local mode");
        }
        if (req.synchronous() && members < 2) {
            throw new IllegalArgumentException("--sync needs at least 2 members: with one, every write would wait forever");
        }
        String region = Names.requireRegion(req.region() == null ? "local" : req.region());
        if (req.idleTimeoutSeconds() > 0 && (!config.equals("dev") || members > 1)) {
            throw new IllegalArgumentException("--scale-to-zero is for one-member dev clusters: the members of an"
                    + " HA cluster must keep serving and streaming");
        }
        PgBinaries bin = PgBinaries.locate(req.pgBin());
        // TLS is on by default for HA clusters, whose members talk to each other and to clients over the
        // network; a dev cluster keeps plain connections unless asked.
        boolean withTls = req.tls() != null ? req.tls() : config.equals("ha");
        long started = System.currentTimeMillis();
        return locked(req.name(), () -> {
            if (home.clusterExists(req.name())) {
                throw new IllegalArgumentException("cluster '" + req.name() + "' already exists");
            }
            // Backups: checked (and a fork's snapshot taken) before anything of the new cluster exists.
            BackupSettings backupSettings = newBackupSettings(req);
            ClusterBackups.PlannedRestore restore = planRestore(req);
            LocalCluster cluster;
            synchronized (allocation) {
                cluster = allocate(req, config, members, region, bin);
                Map<String, String> settings = new LinkedHashMap<>(cluster.spec().settings());
                settings.putAll(ClusterBackups.archiveSettings(cluster));
                cluster = cluster.withSpec(cluster.spec().withSettings(settings).withTls(withTls));
                save(cluster);
            }
            try {
                Secrets secrets = Secrets.generate();
                secrets.writeTo(home.secretsDir(req.name()));
                if (withTls) {
                    // A new CA for every new cluster, restores and forks included: they share no keys with their source.
                    tls.createCa(req.name());
                    tls.ensureMemberCertificates(cluster);
                }
                backups.setUp(cluster, backupSettings);
                if (restore != null) {
                    backups.restoreInto(cluster, restore, secrets, Progress.to("restore of " + req.name(), log::info));
                }
                try (ClusterStore store = store(req.name())) {
                    store.deleteCluster();
                    store.putConfig(cluster.spec());
                    if (restore != null) {
                        // The first member starts from the restored data; the others clone from it, never initdb.
                        store.tryClaimInitialize(cluster.spec().members().getFirst().name());
                    }
                }
                startChildren(cluster);
                awaitReady(cluster, READY_TIMEOUT_MILLIS, home.failedCreateLogs(req.name()));
                record(req.name(), "create", null, config + " cluster with " + members + " member(s) created");
            } catch (Exception e) {
                log.warn("create of {} failed, rolling back: {}", req.name(), e.toString());
                keepLogsOfFailedCreate(cluster);
                destroyLocked(req.name());
                throw e;
            }
            FileTrees.delete(home.failedCreateLogs(req.name()));
            return new CreateResult(view(cluster), url(req.name(), false, "postgres"),
                    withTls ? verifyUrl(req.name(), false, "postgres", null) : null, System.currentTimeMillis() - started);
        });
    }

    private BackupSettings newBackupSettings(CreateRequest req) throws IOException {
        StoreSettings base = req.backupStore() != null ? req.backupStore() : backups.defaultBase();
        BackupSettings settings = new BackupSettings(base.forCluster(req.name()), null, null);
        backups.requireEmpty(settings.store());
        return settings;
    }

    /** The restore of {@code create --from-backup|--fork-from}, fully checked; a fork's snapshot is taken here. */
    private ClusterBackups.PlannedRestore planRestore(CreateRequest req) throws IOException {
        RestoreRequest r = req.restore();
        if (r == null) {
            return null;
        }
        Names.requireClusterName(r.source());
        RecoveryTarget target = RecoveryTarget.parse(r.targetTime(), r.targetLsn());
        if (r.fork()) {
            LocalCluster source = load(r.source());
            if (!source.running()) {
                throw new IllegalStateException("cluster '" + r.source() + "' is stopped: a fork copies a running cluster");
            }
            SnapshotManifest snapshot = backups.snapshot(source, view(source), Progress.to("fork snapshot of " + r.source(), log::info));
            return backups.planRestore(r.source(), backups.requireSettings(r.source()).store(), Optional.of(snapshot.id()),
                    new RecoveryTarget.SnapshotEnd());
        }
        StoreSettings sourceStore = backups.storeOf(r.source(), req.backupStore());
        if (!home.clusterExists(r.source())) {
            try (var store = sourceStore.open()) {
                if (store.list("snapshots/").isEmpty()) {
                    throw new NoSuchElementException404("no cluster named '" + r.source() + "' and no backups of one in "
                            + store.describe());
                }
            }
        }
        return backups.planRestore(r.source(), sourceStore, Optional.ofNullable(r.snapshotId()), target);
    }

    private LocalCluster allocate(CreateRequest req, String config, int members, String region, PgBinaries bin) {
        List<LocalCluster> existing = all();
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
            specs.add(newMember(addressPrefix, index, k, region));
        }
        ClusterSpec spec = new ClusterSpec(req.name(), config, region, req.synchronous(),
                ClusterSpec.DEFAULT_MAX_LAG_BYTES, "127.0.0.1", proxyPort, proxyPort + 1, bin.majorVersion(), specs,
                MemoryDefaults.forHost(hostMemoryBytes(), members), req.idleTimeoutSeconds());
        Set<Integer> taken = new HashSet<>(proxyPorts);
        existing.forEach(c -> taken.add(c.proxyMetricsPort()));
        return new LocalCluster(spec, true, index, dataRootFor(req.name()).toString(), bin.binDir().toString(),
                pickProxyMetricsPort(taken));
    }

    /** A port for the proxy's /metrics, away from the proxies' own ports and other clusters' metrics. */
    private int pickProxyMetricsPort(Set<Integer> taken) {
        return claims.claimFree("127.0.0.1", PROXY_METRICS_PORT_FROM, 1, 1, taken, Ports::isFree);
    }

    /** Clusters created before proxies had metrics get a metrics port when they next start. */
    private LocalCluster withProxyMetricsPort(LocalCluster cluster) throws IOException {
        if (cluster.proxyMetricsPort() > 0) {
            return cluster;
        }
        synchronized (allocation) {
            Set<Integer> taken = new HashSet<>();
            for (LocalCluster c : all()) {
                taken.add(c.proxyMetricsPort());
                taken.addAll(proxyPortsOf(c));
            }
            LocalCluster updated = cluster.withProxyMetricsPort(pickProxyMetricsPort(taken));
            save(updated);
            return updated;
        }
    }

    private static Set<Integer> proxyPortsOf(LocalCluster c) {
        Set<Integer> ports = new HashSet<>(Set.of(c.spec().proxyPort(), c.spec().replicaPort()));
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

    private static MemberSpec newMember(String prefix, int clusterIndex, int k, String region) {
        String host = prefix + clusterIndex + "." + k;
        int pgPort = Ports.pick(host, 5432, 15432, Set.of());
        int apiPort = Ports.pick(host, 8008, 18008, Set.of(pgPort));
        return new MemberSpec("m" + k, host, pgPort, apiPort, region, 100, false);
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

    // ------------------------------------------------------------------ start / stop / destroy

    void startCluster(String name) throws Exception {
        locked(name, () -> {
            LocalCluster cluster = load(name).withRunning(true);
            save(cluster);
            try (ClusterStore store = store(name)) {
                if (store.config().isEmpty()) {
                    store.putConfig(cluster.spec());
                }
            }
            startChildren(cluster);
            awaitReady(cluster, READY_TIMEOUT_MILLIS, home.clusterDir(name));
            record(name, "start", null, "cluster started");
            return null;
        });
    }

    void stopCluster(String name) throws Exception {
        locked(name, () -> {
            LocalCluster cluster = load(name);
            save(cluster.withRunning(false));
            stopChildren(name);
            record(name, "stop", null, "cluster stopped");
            return null;
        });
    }

    void destroy(String name) throws Exception {
        locked(name, () -> {
            load(name);
            destroyLocked(name);
            return null;
        });
    }

    private void destroyLocked(String name) throws IOException {
        Optional<LocalCluster> cluster = tryLoad(name);
        stopChildren(name);
        try (ClusterStore store = store(name)) {
            store.deleteCluster();
        } catch (RuntimeException e) {
            log.warn("could not delete the store nodes of {}: {}", name, e.toString());
        }
        if (cluster.isPresent()) {
            Path dataRoot = Path.of(cluster.get().dataRoot());
            endLeftoverPostgres(dataRoot);
            FileTrees.delete(dataRoot);
            if (dataRoot.startsWith("/var/lib/pgfly")) {
                FileTrees.delete(dataRoot.getParent());
            }
        }
        try {
            backups.forget(name);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete the backups of {}: {}", name, e.toString());
        }
        FileTrees.delete(home.clusterDir(name));
    }

    /** A PostgreSQL whose agent died before stopping it: immediate shutdown, by the pid in its own pid file. */
    private static void endLeftoverPostgres(Path dataRoot) {
        if (!Files.isDirectory(dataRoot)) {
            return;
        }
        try (Stream<Path> members = Files.list(dataRoot)) {
            for (Path member : members.toList()) {
                // PostgreSQL's user writes that file: read without following a link, and the pid killed
                // only if it is a postgres run by that user (never a process whose number was planted).
                Optional<String> pidFile = dev.pgfly.postgres.OwnedFiles.readRegular(member.resolve("data/postmaster.pid"));
                if (pidFile.isPresent() && !pidFile.get().isBlank()) {
                    long pid = Long.parseLong(pidFile.get().lines().findFirst().orElse("").strip());
                    OsUser pgUser = OsUser.forPostgres();
                    ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                            .filter(h -> !pgUser.dropsPrivileges() || h.info().user().map(pgUser.name()::equals).orElse(false))
                            .ifPresent(h -> {
                                h.destroyForcibly();
                                h.onExit().join();
                            });
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not check for leftover PostgreSQL processes in {}: {}", dataRoot, e.toString());
        }
    }

    private void startChildren(LocalCluster given) throws IOException {
        LocalCluster cluster = withProxyMetricsPort(given);
        String name = cluster.spec().name();
        // Before any agent starts: a new member's certificate, or one renewed before it expires.
        List<String> issued = tls.ensureMemberCertificates(cluster);
        if (!issued.isEmpty()) {
            log.info("{}: issued TLS certificates for {}", name, issued);
        }
        Map<String, ChildProcess> running = children.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        for (MemberSpec m : cluster.spec().members()) {
            if (!running.containsKey(m.name())) {
                ChildProcess agent = launcher.agent(cluster, m, memberDir(cluster, m.name()));
                agent.start();
                running.put(m.name(), agent);
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

    private static boolean isProxy(String childKey) {
        return childKey.equals("proxy") || childKey.startsWith("proxy-");
    }

    /** Proxy first (clients see a clean close), then replicas, then the primary (no needless failover). */
    private void stopChildren(String name) {
        Map<String, ChildProcess> running = children.remove(name);
        if (running == null) {
            return;
        }
        List<String> proxies = running.keySet().stream().filter(ClusterManager::isProxy).toList();
        proxies.parallelStream().forEach(key -> Optional.ofNullable(running.remove(key)).ifPresent(p -> p.stop(20)));
        String leader = null;
        try (ClusterStore store = store(name)) {
            leader = store.leader().map(LeaderRecord::member).orElse(null);
        } catch (RuntimeException e) {
            log.debug("leader unknown while stopping {}", name);
        }
        String primary = leader;
        running.values().stream().filter(c -> !c.id().endsWith("/" + primary)).parallel().forEach(c -> c.stop(90));
        running.values().stream().filter(c -> c.id().endsWith("/" + primary)).forEach(c -> c.stop(90));
    }

    Path memberDir(LocalCluster cluster, String member) {
        return Path.of(cluster.dataRoot()).resolve(member);
    }

    void restoreAll() {
        for (LocalCluster c : all()) {
            if (c.running()) {
                try {
                    locked(c.spec().name(), () -> {
                        try (ClusterStore store = store(c.spec().name())) {
                            if (store.config().isEmpty()) {
                                store.putConfig(c.spec());
                            }
                        }
                        startChildren(c);
                        return null;
                    });
                } catch (Exception e) {
                    log.error("could not restart cluster {}: {}", c.spec().name(), e.toString());
                }
            }
        }
    }

    void stopAllChildren() {
        new ArrayList<>(children.keySet()).parallelStream().forEach(this::stopChildren);
    }

    // ------------------------------------------------------------------ members and switchover

    ClusterView addMember(String name, String region) throws Exception {
        return locked(name, () -> {
            LocalCluster cluster = load(name);
            if (!cluster.running()) {
                throw new IllegalStateException("cluster '" + name + "' is stopped: start it first");
            }
            String r = Names.requireRegion(region == null ? cluster.spec().primaryRegion() : region);
            Set<String> used = new HashSet<>();
            cluster.spec().members().forEach(m -> used.add(m.name()));
            int k = 1;
            while (used.contains("m" + k)) {
                k++;
            }
            if (k > 9) {
                throw new IllegalStateException("at most 9 members in local mode");
            }
            MemberSpec added = newMember(addressPrefix, cluster.index(), k, r);
            LocalCluster updated = cluster.withSpec(cluster.spec().withMember(added));
            if (!r.equals(cluster.spec().primaryRegion()) && !cluster.regionProxies().containsKey(r)) {
                // A region's first member gets that region's proxy, which prefers its replicas.
                synchronized (allocation) {
                    Set<Integer> taken = new HashSet<>();
                    all().forEach(c -> taken.addAll(proxyPortsOf(c)));
                    Map<String, Integer> proxies = new java.util.TreeMap<>(cluster.regionProxies());
                    proxies.put(r, freeProxyPort(taken));
                    updated = updated.withRegionProxies(proxies);
                    save(updated);
                }
            }
            save(updated);
            try (ClusterStore store = store(name)) {
                store.putConfig(updated.spec());
            }
            startChildren(updated);
            awaitMemberStreaming(name, added.name(), 600_000);
            record(name, "member-add", added.name(), "member added in region " + r);
            return view(updated);
        });
    }

    ClusterView removeMember(String name, String member) throws Exception {
        return locked(name, () -> {
            LocalCluster cluster = load(name);
            if (cluster.spec().member(member).isEmpty()) {
                throw new IllegalArgumentException("cluster '" + name + "' has no member '" + member + "'");
            }
            if (cluster.spec().members().size() == 1) {
                throw new IllegalArgumentException("cannot remove the last member: destroy the cluster instead");
            }
            try (ClusterStore store = store(name)) {
                if (store.leader().map(l -> l.member().equals(member)).orElse(false)) {
                    switchoverLocked(cluster, null);
                }
                ChildProcess agent = Optional.ofNullable(children.get(name)).map(m -> m.remove(member)).orElse(null);
                if (agent != null) {
                    agent.stop(90);
                }
                LocalCluster updated = cluster.withSpec(cluster.spec().withoutMember(member));
                String region = cluster.spec().member(member).orElseThrow().region();
                if (updated.regionProxies().containsKey(region)
                        && updated.spec().members().stream().noneMatch(m -> m.region().equals(region))) {
                    // The region's last member is gone: so is its proxy.
                    Optional.ofNullable(children.get(name)).map(m -> m.remove("proxy-" + region)).ifPresent(p -> p.stop(20));
                    Map<String, Integer> proxies = new java.util.TreeMap<>(updated.regionProxies());
                    proxies.remove(region);
                    updated = updated.withRegionProxies(proxies);
                }
                save(updated);
                store.putConfig(updated.spec());
                store.removeMemberStatus(member);
                keepRemovedMemberLogs(name, member, memberDir(cluster, member));
                FileTrees.delete(memberDir(cluster, member));
                tls.forget(name, member);
                record(name, "member-remove", member, "member removed; its replication slot is dropped by the primary");
                return view(updated);
            }
        });
    }

    String switchover(String name, String to) throws Exception {
        return locked(name, () -> switchoverLocked(load(name), to));
    }

    private String switchoverLocked(LocalCluster cluster, String to) throws Exception {
        String name = cluster.spec().name();
        if (cluster.spec().members().size() < 2) {
            throw new IllegalStateException("cluster '" + name + "' has one member: add one with 'pgfly member add " + name + "'");
        }
        try (ClusterStore store = store(name)) {
            LeaderRecord leader = store.leader().filter(LeaderRecord::ready)
                    .orElseThrow(() -> new IllegalStateException("cluster '" + name + "' has no primary right now"));
            if (to != null) {
                MemberSpec target = cluster.spec().member(to).orElseThrow(() ->
                        new IllegalArgumentException("cluster '" + name + "' has no member '" + to + "'"));
                if (target.name().equals(leader.member())) {
                    throw new IllegalArgumentException(to + " is already the primary");
                }
            }
            long requested = System.currentTimeMillis();
            store.requestSwitchover(new SwitchoverRequest(leader.member(), to, requested));
            long deadline = requested + 90_000;
            while (System.currentTimeMillis() < deadline) {
                Optional<LeaderRecord> now = store.leader();
                if (now.isPresent() && now.get().ready() && now.get().term() > leader.term()) {
                    return now.get().member();
                }
                Optional<Event> refusal = store.events(20).stream()
                        .filter(e -> e.time() >= requested)
                        .filter(e -> e.kind().equals("switchover-refused") || e.kind().equals("switchover-aborted"))
                        .reduce((a, b) -> b);
                if (refusal.isPresent()) {
                    throw new IllegalStateException("switchover refused: " + refusal.get().reason());
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("switchover did not complete within 90 s; see 'pgfly events " + name + "'");
        }
    }

    List<Event> events(String name, int limit) throws Exception {
        load(name);
        try (ClusterStore store = store(name)) {
            return store.events(limit);
        }
    }

    // ------------------------------------------------------------------ settings and rolling restart

    SettingsView settings(String name) throws Exception {
        LocalCluster cluster = load(name);
        Optional<String> primary;
        try (ClusterStore store = store(name)) {
            primary = store.leader().map(LeaderRecord::member);
        }
        return new ClusterSettings(home).view(cluster, primary);
    }

    /** Stores the new settings (store and cluster.json), then waits until every member applied them. */
    SettingsView updateSettings(String name, SettingsUpdate unchecked) throws Exception {
        SettingsUpdate update = new ClusterSettings(home).validated(load(name), unchecked);
        LocalCluster updated = locked(name, () -> {
            LocalCluster cluster = load(name);
            Map<String, String> merged = ClusterSettings.merge(cluster.spec().settings(), update);
            LocalCluster next = cluster.withSpec(cluster.spec().withSettings(merged));
            if (!merged.equals(cluster.spec().settings())) {
                save(next);
                try (ClusterStore store = store(name)) {
                    store.putConfig(next.spec());
                }
                record(name, "config", null, "settings changed: " + describe(update));
            }
            return next;
        });
        Map<String, String> set = new LinkedHashMap<>();
        updated.spec().settings().forEach((k, v) -> {
            if (update.set() != null && update.set().keySet().stream().anyMatch(n -> n.equalsIgnoreCase(k))) {
                set.put(k, v);
            }
        });
        new ClusterSettings(home).awaitApplied(updated, set);
        return settings(name);
    }

    private static String describe(SettingsUpdate update) {
        List<String> parts = new ArrayList<>();
        if (update.set() != null) {
            update.set().forEach((k, v) -> parts.add(k + "=" + v));
        }
        if (update.reset() != null) {
            update.reset().forEach(k -> parts.add(k + " reset"));
        }
        return String.join(", ", parts);
    }

    RestartResult restart(String name, boolean force, String member) throws Exception {
        return locked(name, () -> {
            LocalCluster cluster = load(name);
            try (ClusterStore store = store(name)) {
                return new RollingRestart(rolling(cluster, store)).run(force, member);
            }
        });
    }

    /**
     * New PostgreSQL binaries of the same major version, member by member: checked first (a refusal
     * changes nothing), saved in cluster.json, then each member's agent is replaced by one started from
     * them in a rolling restart's order (replicas, switchover, former primary).
     */
    RestartResult upgrade(String name, String pgBin) throws Exception {
        return locked(name, () -> {
            LocalCluster cluster = load(name);
            PgBinaries bin = UpgradeCheck.check(pgBin, cluster.spec().pgMajor());
            if (!cluster.running()) {
                throw new IllegalStateException("cluster '" + name + "' is stopped: start it first");
            }
            ClusterView before = view(cluster);
            if (!"running".equals(before.state())) {
                throw new IllegalStateException("cluster '" + name + "' is " + before.state()
                        + ": an upgrade needs one primary and every replica streaming");
            }
            LocalCluster updated = cluster.withPgBin(bin.binDir().toString());
            save(updated);
            try (ClusterStore store = store(name)) {
                return RollingRestart.upgrade(rolling(updated, store),
                        (m, isPrimary) -> replaceAgent(updated, m, store), updated.pgBin());
            }
        });
    }

    /** Stops a member's agent (it stops its PostgreSQL, fast) and starts a new one from {@code cluster}'s record. */
    private long replaceAgent(LocalCluster cluster, MemberSpec m, ClusterStore store) throws IOException {
        long postgresPid = store.members().stream().filter(s -> s.name().equals(m.name())).findFirst()
                .map(MemberStatus::postgresPid).orElse(0L);
        Map<String, ChildProcess> running = children.computeIfAbsent(cluster.spec().name(), n -> new ConcurrentHashMap<>());
        ChildProcess old = running.remove(m.name());
        if (old != null) {
            old.stop(90);
        }
        ChildProcess agent = launcher.agent(cluster, m, memberDir(cluster, m.name()));
        agent.start();
        running.put(m.name(), agent);
        return postgresPid;
    }

    private RollingRestart.Cluster rolling(LocalCluster cluster, ClusterStore store) {
        String name = cluster.spec().name();
        return new RollingRestart.Cluster() {
            @Override
            public LocalCluster cluster() {
                return cluster;
            }

            @Override
            public ClusterStore store() {
                return store;
            }

            @Override
            public Secrets secrets() throws IOException {
                return Secrets.readFrom(home.secretsDir(name));
            }

            @Override
            public dev.pgfly.postgres.PgTls tls() {
                return ClusterTls.clientTls(home, cluster.spec());
            }

            @Override
            public String switchover() throws Exception {
                return switchoverLocked(cluster, null);
            }

            @Override
            public void record(String kind, String m, String reason) {
                ClusterManager.this.record(name, kind, m, reason);
            }
        };
    }

    // ------------------------------------------------------------------ views

    List<ClusterView> list() {
        return all().stream().map(this::view).toList();
    }

    ClusterView status(String name) {
        return view(load(name));
    }

    ClusterView view(LocalCluster cluster) {
        ClusterSpec spec = cluster.spec();
        Map<String, MemberStatus> published = new LinkedHashMap<>();
        Optional<LeaderRecord> leaderNode = Optional.empty();
        long term = 0;
        try (ClusterStore store = store(spec.name())) {
            store.members().forEach(s -> published.put(s.name(), s));
            leaderNode = store.leader();
            term = store.currentTerm();
        } catch (RuntimeException e) {
            log.debug("store unavailable for {}: {}", spec.name(), e.toString());
        }
        Optional<LeaderRecord> leader = leaderNode;
        List<MemberView> members = new ArrayList<>();
        boolean allRunning = true;
        boolean idle = false;
        // A replica "streaming" a timeline older than the primary's has diverged and only reconnects in
        // a loop (Timelines.onLeaderTimeline, the agent's rule too): it does not count as healthy.
        int leaderTimeline = leader.map(l -> published.get(l.member())).map(MemberStatus::timeline).orElse(0);
        for (MemberSpec m : spec.members()) {
            MemberStatus s = published.get(m.name());
            Long agentPid = Optional.ofNullable(children.get(spec.name())).map(c -> c.get(m.name()))
                    .flatMap(ChildProcess::pid).orElse(null);
            String servedBy = spec.proxyHost() + ":" + (cluster.proxyPortFor(m.region()) + 1);
            if (s == null) {
                allRunning = false;
                members.add(new MemberView(m.name(), "unknown", cluster.running() ? "down" : "stopped", m.region(),
                        m.host(), m.pgPort(), agentPid, null, m.apiUrl(), null, 0, 0, 0, false, false, null, servedBy, null));
                continue;
            }
            boolean isLeader = leader.map(l -> l.member().equals(m.name())).orElse(false);
            idle |= isLeader && s.state().isIdle();
            Optional<String> down = cluster.running() ? MemberLiveness.problem(s, agentPid, Pids::running)
                    : Optional.empty();
            allRunning &= down.isEmpty() && s.state().isRunning() && (isLeader
                    ? s.role() == dev.pgfly.core.model.Role.PRIMARY
                    : s.role() == dev.pgfly.core.model.Role.REPLICA && s.streaming()
                            && Timelines.onLeaderTimeline(s.timeline(), leaderTimeline));
            members.add(new MemberView(m.name(), s.role().label(), down.orElse(s.state().label()), m.region(), m.host(), m.pgPort(),
                    s.agentPid(), s.postgresPid() > 0 ? s.postgresPid() : null, m.apiUrl(),
                    Lsn.format(s.walPosition()), s.timeline(), s.lagBytes(), s.lagSeconds(), s.synchronous(),
                    s.streaming(), s.upstream(), servedBy, down.isPresent() ? null : s.detail()));
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
        return new ClusterView.Proxy(spec.proxyHost() + ":" + port, spec.proxyHost() + ":" + (port + 1), region,
                primaryRegion && cluster.proxyMetricsPort() > 0
                        ? "http://" + spec.proxyHost() + ":" + cluster.proxyMetricsPort() + "/metrics" : null);
    }

    /** Every member's PostgreSQL and agent log (current files; rotated copies sit beside them). */
    List<LogFile> logFiles(String name, String member) {
        LocalCluster cluster = load(name);
        if (member != null && cluster.spec().member(member).isEmpty()) {
            throw new NoSuchElementException404("cluster '" + name + "' has no member '" + member + "'");
        }
        List<LogFile> files = new ArrayList<>();
        for (MemberSpec m : cluster.spec().members()) {
            if (member == null || m.name().equals(member)) {
                Path dir = memberDir(cluster, m.name());
                files.add(new LogFile(m.name(), "postgres", dir.resolve("postgres.log").toString()));
                files.add(new LogFile(m.name(), "agent", dir.resolve("agent.log").toString()));
            }
        }
        return files;
    }

    /** A supervised agent or proxy died and was started again: that belongs in the cluster's history. */
    private void childRestarted(ChildProcess.Restart restart) {
        int slash = restart.id().indexOf('/');
        String cluster = restart.id().substring(0, slash);
        String who = restart.id().substring(slash + 1);
        record(cluster, "restart", who, (who.equals("proxy") ? "proxy" : "agent") + " (pid " + restart.pid()
                + ") exited with code " + restart.exitCode() + "; the daemon restarted it (restart #" + restart.count() + ")");
    }

    /** The URL through the proxy of {@code region} (null: the primary region's). */
    String url(String name, boolean replica, String database, String region) throws IOException {
        LocalCluster cluster = load(name);
        int proxyPort = cluster.spec().proxyPort();
        if (region != null && !region.equals(cluster.spec().primaryRegion())) {
            Names.requireRegion(region);
            Integer regional = cluster.regionProxies().get(region);
            if (regional == null) {
                Set<String> regions = new java.util.TreeSet<>();
                cluster.spec().members().forEach(m -> regions.add(m.region()));
                throw new IllegalArgumentException("cluster '" + name + "' has no member in region '" + region
                        + "' (regions: " + String.join(", ", regions) + ")");
            }
            proxyPort = regional;
        }
        Secrets secrets = Secrets.readFrom(home.secretsDir(name));
        int port = replica ? proxyPort + 1 : proxyPort;
        String db = Names.requireIdentifier("database", database == null ? "postgres" : database);
        return "postgres://" + PgConfig.SUPERUSER + ":" + secrets.superuserPassword() + "@" + cluster.spec().proxyHost()
                + ":" + port + "/" + db;
    }

    String url(String name, boolean replica, String database) throws IOException {
        return url(name, replica, database, null);
    }

    /**
     * The URL of {@link #url(String, boolean, String, String)} with {@code sslmode=verify-full} and the
     * cluster's CA as {@code sslrootcert}, for psql and other libpq clients on this host; null when
     * the cluster has no TLS.
     */
    String verifyUrl(String name, boolean replica, String database, String region) throws IOException {
        LocalCluster cluster = load(name);
        if (!cluster.spec().tls()) {
            return null;
        }
        return url(name, replica, database, region) + "?sslmode=verify-full&sslrootcert="
                + queryValue(tls.publicCaFile(name).toString());
    }

    /** A URL query value: a file path stays readable (slashes kept), anything else is percent-encoded. */
    static String queryValue(String value) {
        return java.util.Arrays.stream(value.split("/", -1))
                .map(part -> java.net.URLEncoder.encode(part, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(java.util.stream.Collectors.joining("/"));
    }

    /** The cluster's CA certificate for clients ({@code pgfly cert}). */
    Map<String, Object> certificate(String name) throws IOException {
        LocalCluster cluster = load(name);
        if (!cluster.spec().tls()) {
            throw new IllegalStateException("cluster '" + name + "' does not use TLS (create a cluster with --tls)");
        }
        Path file = dev.pgfly.core.tls.TlsFiles.caCertificate(home.secretsDir(name));
        if (!Files.exists(file)) {
            throw new IllegalStateException("cluster '" + name + "' has TLS on but no CA certificate in " + file.getParent());
        }
        String pem = Files.readString(file);
        java.security.cert.X509Certificate ca = dev.pgfly.core.tls.ClusterCa.parseCertificate(pem);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("cluster", name);
        answer.put("ca_pem", pem);
        answer.put("fingerprint_sha256", dev.pgfly.core.tls.ClusterCa.fingerprintSha256(ca));
        answer.put("not_after", ca.getNotAfter().toInstant().toString());
        answer.put("file", tls.publicCaFile(name).toString());
        return answer;
    }

    // ------------------------------------------------------------------ readiness

    /** A removed member's logs, which go with its directory, are what tells why its removal took long. */
    private void keepRemovedMemberLogs(String name, String member, Path memberDir) {
        Path logs = home.clusterDir(name).resolve("logs");
        try {
            KeptLogs.keepRemovedMember(memberDir, logs.resolve(member + "-agent.log"),
                    home.clusterDir(name).resolve("removed-members").resolve(member));
        } catch (IOException e) {
            log.warn("could not keep the logs of removed member {}/{}: {}", name, member, e.toString());
        }
    }

    /** Before a failed create is rolled back: its logs, which the rollback deletes, are kept. */
    private void keepLogsOfFailedCreate(LocalCluster cluster) {
        String name = cluster.spec().name();
        Map<String, Path> memberDirs = new LinkedHashMap<>();
        cluster.spec().members().forEach(m -> memberDirs.put(m.name(), memberDir(cluster, m.name())));
        try {
            int kept = KeptLogs.keepFailedCreate(home.clusterDir(name).resolve("logs"), memberDirs, home.failedCreateLogs(name));
            log.info("kept {} log file(s) of the failed create of {} in {}", kept, name, home.failedCreateLogs(name));
        } catch (IOException | RuntimeException e) {
            log.warn("could not keep the logs of the failed create of {}: {}", name, e.toString());
        }
    }

    private void awaitReady(LocalCluster cluster, long timeoutMillis, Path logs) throws Exception {
        String name = cluster.spec().name();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        String last = "starting";
        while (System.currentTimeMillis() < deadline) {
            ClusterView v = view(cluster);
            last = v.members().stream().map(m -> m.name() + ": " + m.state()).reduce((a, b) -> a + ", " + b).orElse("");
            if ("running".equals(v.state()) && queryThroughProxy(cluster)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("cluster '" + name + "' did not become ready within "
                + timeoutMillis / 1000 + " s (" + last + "); see the logs under " + logs);
    }

    private void awaitMemberStreaming(String name, String member, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        try (ClusterStore store = store(name)) {
            while (System.currentTimeMillis() < deadline) {
                Optional<MemberStatus> s = store.members().stream().filter(m -> m.name().equals(member)).findFirst();
                if (s.isPresent() && s.get().streaming() && s.get().state().isRunning()) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("member " + member + " did not start streaming within " + timeoutMillis / 1000 + " s");
    }

    private boolean queryThroughProxy(LocalCluster cluster) {
        try {
            Secrets secrets = Secrets.readFrom(home.secretsDir(cluster.spec().name()));
            Properties p = PgLogin.properties(PgConfig.SUPERUSER, secrets.superuserPassword());
            p.setProperty("connectTimeout", "2");
            p.setProperty("ApplicationName", "pgfly-daemon");
            p.setProperty("socketTimeout", "5");
            // With TLS, the daemon checks what clients will: the member's certificate, through the proxy.
            ClusterTls.clientTls(home, cluster.spec()).addTo(p);
            String url = "jdbc:postgresql://" + cluster.spec().proxyHost() + ":" + cluster.spec().proxyPort() + "/postgres";
            try (Connection c = PgLogin.connect(url, p); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT NOT pg_is_in_recovery()")) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (Exception e) {
            Optional<String> refusal = PgLogin.refusal(e);
            if (refusal.isPresent()) {
                // Not a member behind pgfly's proxy (their pg_hba.conf says SCRAM): something else holds the
                // port. Waiting would not help; say so now (the password was not sent).
                throw new IllegalStateException("cluster '" + cluster.spec().name() + "': the server on "
                        + cluster.spec().proxyHost() + ":" + cluster.spec().proxyPort() + " is not its proxy: "
                        + refusal.get());
            }
            return false;
        }
    }

    // ------------------------------------------------------------------ persistence

    private void record(String name, String kind, String member, String reason) {
        try (ClusterStore store = store(name)) {
            store.recordEvent(new Event(System.currentTimeMillis(), kind, member, store.currentTerm(), reason));
        } catch (RuntimeException e) {
            log.debug("could not record event: {}", e.toString());
        }
    }

    List<LocalCluster> all() {
        if (!Files.isDirectory(home.clustersDir())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(home.clustersDir())) {
            return dirs.map(d -> d.getFileName().toString()).sorted()
                    .map(this::tryLoad).flatMap(Optional::stream).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    LocalCluster load(String name) {
        Names.requireClusterName(name);
        return tryLoad(name).orElseThrow(() -> new NoSuchElementException404("no cluster named '" + name + "'"));
    }

    private Optional<LocalCluster> tryLoad(String name) {
        Path file = home.clusterFile(name);
        try {
            return Files.exists(file) ? Optional.of(Json.read(Files.readAllBytes(file), LocalCluster.class)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    private void save(LocalCluster cluster) throws IOException {
        Path file = home.clusterFile(cluster.spec().name());
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("cluster.json.tmp");
        Files.writeString(tmp, Json.pretty(cluster));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        stopAllChildren();
    }

    /** "No such cluster/member": the API answers 404 for it. */
    static final class NoSuchElementException404 extends RuntimeException {
        NoSuchElementException404(String message) {
            super(message);
        }
    }
}
