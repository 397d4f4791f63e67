package dev.pgfly.node;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreAcls;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.PrivateFiles;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.api.DaemonInfo;
import dev.pgfly.node.ensemble.EnsembleMembership;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.install.Installation;
import dev.pgfly.node.install.InstallationService;
import dev.pgfly.node.install.NodeConfig;
import dev.pgfly.node.install.NodeFiles;
import dev.pgfly.node.install.NodeRecord;
import dev.pgfly.node.install.NodeStore;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * The local platform: embedded ZooKeeper, supervised agents and proxies, and the API the CLI uses.
 * It stands in for a cloud's machine API; in production agents run on their own hosts without it.
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    private static final int DEFAULT_ZK_PORT = 12181;
    private static final Duration LIFE_LOCK_WAIT = Duration.ofSeconds(180);
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** Never released: see {@link #holdLifeLock}. */
    @SuppressWarnings("unused")
    private static FileLock lifeLock;

    private Daemon() {
    }

    public static void run(PgflyHome home) throws Exception {
        Path nodeYaml = NodeFiles.config(home);
        if (Files.exists(nodeYaml)) {
            // This home was made by `pgfly node init|join`: it is a node of an installation.
            runNode(home, NodeConfig.read(nodeYaml).withHome(home.root().toString()));
            return;
        }
        String token = prepare(home);
        Optional<DaemonInfo> previous = DaemonInfo.read(home);
        HostClaims claims = HostClaims.forHome(home.root());
        int zkPort = previous.map(DaemonInfo::zkPort)
                .filter(p -> claims.tryClaim("127.0.0.1", p, 1, java.util.Set.of(), Ports::isFree))
                .orElseGet(() -> claims.claimFree("127.0.0.1", DEFAULT_ZK_PORT, 1, 1, java.util.Set.of(), Ports::isFree));
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(home.zookeeperDir(), "127.0.0.1", zkPort);
        DcsAddress dcs = new DcsAddress("127.0.0.1:" + zk.port(), "/pgfly");
        StoreCredentials credentials = readOrCreateStoreCredentials(home);
        CuratorFramework client = ZkConnections.startAndWait(dcs, Duration.ofSeconds(30), null, credentials,
                Duration.ofSeconds(30));
        secureStore(client, credentials, dcs);
        CountDownLatch stop = new CountDownLatch(1);
        ClusterManager clusters = new ClusterManager(home, client, dcs, new ChildLauncher(home, dcs, credentials));
        DaemonApi api = new DaemonApi(clusters, token, stop::countDown, zk, LocalApiCertificate.create(home));
        BackupScheduler backupSchedule = new BackupScheduler(clusters, home);
        AutoCloseable dashboard = NodeDashboard.mount(api, home, "local", java.util.List.of(token), clusters);
        onShutdown(home, api, () -> {
            closeQuietly(dashboard);
            backupSchedule.close();
            clusters.close();
            client.close();
            zk.close();
        });
        writeInfo(home, new DaemonInfo(ProcessHandle.current().pid(), api.port(), zk.port(), dcs.toString()));
        log.info("daemon up: API 127.0.0.1:{}, ZooKeeper {}", api.port(), dcs);
        clusters.restoreAll();
        clusters.startScheduledOperations();
        backupSchedule.start();
        stop.await();
        System.exit(0);
    }

    /**
     * A node of an installation of several hosts: its ZooKeeper peer (or an external store), its record and
     * liveness in the store, the API on its own address for other hosts' CLI and joining nodes, and the
     * reconciler that runs what is placed on it.
     */
    public static void runNode(PgflyHome home, NodeConfig given) throws Exception {
        NodeConfig config = given.validated().requireLocalAddress();
        String token = prepare(home);
        NodeStore nodeStore = NodeStore.open(home, config);
        DcsAddress dcs = nodeStore.dcs();
        StoreCredentials credentials = nodeStore.credentials();
        CuratorFramework client = ZkConnections.startAndWait(dcs, Duration.ofSeconds(30), null, credentials,
                nodeStore.tls(), Duration.ofSeconds(60));
        Installation installation = new Installation(client, dcs.root());
        if (!installation.id(nodeStore.installationId()).equals(nodeStore.installationId())) {
            throw new IllegalStateException("the store at " + dcs + " belongs to another installation");
        }
        StoreAcls.secureTree(client, dcs.root(), credentials);
        installation.putNode(NodeRecord.of(config, nodeStore.peerId(), nodeStore.storeRole())
                .withDrained(installation.node(config.name()).map(NodeRecord::drained).orElse(false)));
        installation.announceUp(config.name());
        ThisNode thisNode = new ThisNode(config.name(), config.address(), nodeStore.installationId());
        ChildLauncher launcher = new ChildLauncher(home, dcs, credentials);
        launcher.useTls(nodeStore.tls());
        ClusterManager clusters = new ClusterManager(home, client, dcs, launcher, thisNode, installation);
        EnsembleMembership ensemble = nodeStore.peerId() > 0 ? new EnsembleMembership(client) : null;
        InstallationService service = new InstallationService(installation, nodeStore, ensemble);
        CountDownLatch stop = new CountDownLatch(1);
        DaemonApi api = new DaemonApi(clusters, token, stop::countDown, null, LocalApiCertificate.create(home))
                .servingInstallation(service, nodeStore.installationToken(), config.address(), config.apiPort(),
                        nodeStore.installationTls().apiServerContext());
        BackupScheduler backupSchedule = new BackupScheduler(clusters, home, new SnapshotTurns(client, dcs.root(), thisNode));
        AutoCloseable dashboard = NodeDashboard.mount(api, home, config.name(),
                java.util.List.of(token, nodeStore.installationToken()), clusters);
        onShutdown(home, api, () -> {
            closeQuietly(dashboard);
            backupSchedule.close();
            clusters.close();
            installation.close();
            client.close();
            nodeStore.close();
        });
        // Before the API is announced and the reconciler starts: `node init` returns with this home's one-host
        // clusters in the store, and the reconciler finds them placed here.
        List<String> adopted = clusters.adoptOneHostClusters();
        if (!adopted.isEmpty()) {
            log.info("adopted this home's one-host cluster(s) {}: they run on node {} now", adopted, config.name());
        }
        writeInfo(home, new DaemonInfo(ProcessHandle.current().pid(), api.port(), config.clientPort(), dcs.toString()));
        log.info("node {} up: API {} (and 127.0.0.1:{}), store {} as {}", config.name(), config.apiEndpoint(), api.port(),
                dcs, nodeStore.storeRole());
        // Children started from now on get the ensemble as it is then.
        java.util.concurrent.ScheduledExecutorService housekeeping =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().unstarted(r));
        housekeeping.scheduleWithFixedDelay(() -> launcher.useStore(nodeStore.currentDcs(client)), 5, 10, java.util.concurrent.TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(() -> publishStoreState(installation, nodeStore), 0, 2, java.util.concurrent.TimeUnit.SECONDS);
        clusters.startReconciling(installation);
        clusters.startScheduledOperations();
        backupSchedule.start();
        stop.await();
        System.exit(0);
    }

    /** Cheap when nothing changed (a read of a field); a failed write is tried again on the next tick. */
    private static void publishStoreState(Installation installation, NodeStore nodeStore) {
        try {
            installation.publishStoreState(nodeStore.peerState());
        } catch (Exception e) {
            log.debug("store state not published: {}", e.toString());
        }
    }

    /** What every daemon does first: its directory, its life lock, its secrets checked, orphans ended, a new token. */
    private static String prepare(PgflyHome home) throws Exception {
        Files.createDirectories(home.daemonDir());
        Files.setPosixFilePermissions(home.daemonDir(), PosixFilePermissions.fromString("rwx------"));
        Optional<DaemonInfo> previous = DaemonInfo.read(home);
        if (previous.isPresent() && ProcessHandle.of(previous.get().pid()).map(ProcessHandle::isAlive).orElse(false)
                && previous.get().pid() != ProcessHandle.current().pid()) {
            throw new IllegalStateException("a daemon is already running (pid " + previous.get().pid() + ")");
        }
        holdLifeLock(home);
        requirePrivateSecrets(home);
        endOrphans(home);
        return newToken(home);
    }

    private static void secureStore(CuratorFramework client, StoreCredentials credentials, DcsAddress dcs) throws Exception {
        // The embedded server is pgfly's alone: close its root to others, and any node left open by an
        // older pgfly (before ACLs) or by anyone else.
        int strays = StoreAcls.secureServerRoot(client, credentials, dcs.root());
        if (strays > 0) {
            log.warn("removed {} coordination store node(s) that pgfly did not create", strays);
        }
        int opened = StoreAcls.secureTree(client, dcs.root(), credentials);
        if (opened > 0) {
            log.info("closed {} coordination store node(s) that were open to every client", opened);
        }
    }

    private static void onShutdown(PgflyHome home, DaemonApi api, Runnable rest) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("daemon stopping: stopping agents and proxies");
            // daemon.json goes first, while the port is still ours: once the port closes, any local user
            // may bind it, and a CLI that still found daemon.json would send it the token.
            try {
                Files.deleteIfExists(home.daemonInfo());
            } catch (IOException e) {
                log.warn("could not remove {}: {}", home.daemonInfo(), e.toString());
            }
            api.close();
            rest.run();
        }, "daemon-shutdown"));
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("could not close {}: {}", c, e.toString());
        }
    }

    /** The daemon's token and every cluster's secrets must be private before anything starts. */
    static void requirePrivateSecrets(PgflyHome home) throws IOException {
        Optional<String> problem = PrivateFiles.fileProblem(home.tokenFile())
                .or(() -> uncheckedFileProblem(home.storeCredentialsFile()));
        if (problem.isEmpty() && Files.isDirectory(home.clustersDir())) {
            try (Stream<Path> clusters = Files.list(home.clustersDir())) {
                for (Path c : clusters.sorted().toList()) {
                    problem = PrivateFiles.problem(c.resolve("secrets"));
                    if (problem.isPresent()) {
                        break;
                    }
                }
            }
        }
        if (problem.isPresent()) {
            throw new IllegalStateException("refusing to start: " + problem.get());
        }
    }

    private static Optional<String> uncheckedFileProblem(Path file) {
        try {
            return PrivateFiles.fileProblem(file);
        } catch (IOException e) {
            return Optional.of("cannot check " + file + ": " + e.getMessage());
        }
    }

    private static void endOrphans(PgflyHome home) throws IOException {
        if (!Files.isDirectory(home.childrenDir())) {
            return;
        }
        try (Stream<Path> files = Files.list(home.childrenDir())) {
            files.toList().parallelStream().forEach(ChildProcess::endOrphan);
        }
    }

    private static StoreCredentials readOrCreateStoreCredentials(PgflyHome home) throws IOException {
        if (Files.exists(home.storeCredentialsFile())) {
            return StoreCredentials.readFrom(home.storeCredentialsFile());
        }
        StoreCredentials credentials = StoreCredentials.generate("pgfly");
        credentials.writeTo(home.storeCredentialsFile());
        return credentials;
    }

    /**
     * A new token at each start: one that leaked (to whoever held the port of a stopped daemon, say) dies
     * with the daemon that issued it.
     */
    private static String newToken(PgflyHome home) throws IOException {
        String token = Secrets.random(40);
        Secrets.writePrivate(home.tokenFile(), token);
        return token;
    }

    /**
     * Held from start to exit (the kernel lets go when the process ends): daemon.json disappears as soon
     * as a daemon starts stopping, so it cannot tell a second daemon that the first one still runs its
     * clusters. A daemon started meanwhile waits here until the old one has exited.
     */
    private static void holdLifeLock(PgflyHome home) throws IOException, InterruptedException {
        FileChannel channel = FileChannel.open(home.daemonDir().resolve("daemon.lock"), Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PRIVATE);
        long deadline = System.currentTimeMillis() + LIFE_LOCK_WAIT.toMillis();
        boolean logged = false;
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                lifeLock = lock;
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                channel.close();
                throw new IllegalStateException("another daemon of " + home.root() + " has not exited within "
                        + LIFE_LOCK_WAIT.toSeconds() + " s");
            }
            if (!logged) {
                log.info("waiting for the previous daemon of {} to finish stopping", home.root());
                logged = true;
            }
            Thread.sleep(200);
        }
    }

    private static void writeInfo(PgflyHome home, DaemonInfo info) throws IOException {
        Secrets.writePrivate(home.daemonInfo(), Json.text(info));
    }
}
