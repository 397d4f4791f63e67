package dev.pgfly.cli.daemon;

import dev.pgfly.cli.PgflyHome;
import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreAcls;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.PrivateFiles;
import dev.pgfly.core.util.Secrets;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * The local platform: embedded ZooKeeper, supervised agents and proxies, and the API the CLI uses.
 * It stands in for a cloud's machine API; in production agents run on their own hosts without it.
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    private static final int DEFAULT_ZK_PORT = 12181;

    private Daemon() {
    }

    public static void run(PgflyHome home) throws Exception {
        Files.createDirectories(home.daemonDir());
        Files.setPosixFilePermissions(home.daemonDir(), PosixFilePermissions.fromString("rwx------"));
        Optional<DaemonInfo> previous = readInfo(home);
        if (previous.isPresent() && ProcessHandle.of(previous.get().pid()).map(ProcessHandle::isAlive).orElse(false)
                && previous.get().pid() != ProcessHandle.current().pid()) {
            throw new IllegalStateException("a daemon is already running (pid " + previous.get().pid() + ")");
        }
        requirePrivateSecrets(home);
        endOrphans(home);
        String token = readOrCreateToken(home);
        HostClaims claims = HostClaims.forHome(home.root());
        int zkPort = previous.map(DaemonInfo::zkPort)
                .filter(p -> claims.tryClaim("127.0.0.1", p, 1, java.util.Set.of(), Ports::isFree))
                .orElseGet(() -> claims.claimFree("127.0.0.1", DEFAULT_ZK_PORT, 1, 1, java.util.Set.of(), Ports::isFree));
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(home.zookeeperDir(), "127.0.0.1", zkPort);
        DcsAddress dcs = new DcsAddress("127.0.0.1:" + zk.port(), "/pgfly");
        StoreCredentials credentials = readOrCreateStoreCredentials(home);
        CuratorFramework client = ZkConnections.startAndWait(dcs, Duration.ofSeconds(30), null, credentials,
                Duration.ofSeconds(30));
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
        CountDownLatch stop = new CountDownLatch(1);
        ClusterManager clusters = new ClusterManager(home, client, dcs, new ChildLauncher(home, dcs, credentials));
        DaemonApi api = new DaemonApi(clusters, token, stop::countDown, zk);
        BackupScheduler backupSchedule = new BackupScheduler(clusters, home);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("daemon stopping: stopping agents and proxies");
            api.close();
            backupSchedule.close();
            clusters.close();
            client.close();
            zk.close();
            try {
                Files.deleteIfExists(home.daemonInfo());
            } catch (IOException ignored) {
                // best effort
            }
        }, "daemon-shutdown"));
        writeInfo(home, new DaemonInfo(ProcessHandle.current().pid(), api.port(), zk.port(), dcs.toString()));
        log.info("daemon up: API 127.0.0.1:{}, ZooKeeper {}", api.port(), dcs);
        clusters.restoreAll();
        backupSchedule.start();
        stop.await();
        System.exit(0);
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

    private static String readOrCreateToken(PgflyHome home) throws IOException {
        if (Files.exists(home.tokenFile())) {
            return Files.readString(home.tokenFile()).strip();
        }
        String token = Secrets.random(40);
        Secrets.writePrivate(home.tokenFile(), token);
        return token;
    }

    public static Optional<DaemonInfo> readInfo(PgflyHome home) {
        try {
            return Files.exists(home.daemonInfo())
                    ? Optional.of(Json.read(Files.readAllBytes(home.daemonInfo()), DaemonInfo.class))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void writeInfo(PgflyHome home, DaemonInfo info) throws IOException {
        Path tmp = home.daemonInfo().resolveSibling("daemon.json.tmp");
        Files.writeString(tmp, Json.text(info));
        Files.move(tmp, home.daemonInfo(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
