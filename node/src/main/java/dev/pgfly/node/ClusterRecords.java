package dev.pgfly.node;

import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.Names;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.install.Installation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The clusters' records ({@code cluster.json}, one per cluster directory): listed, read and written
 * atomically. The daemon owns them; the CLI only reads one, for commands that work without the daemon.
 *
 * <p>In an installation of several nodes the store holds the records ({@link Installation}): every node
 * reads and writes them there, and keeps a copy on its own disk for the CLI's offline reads.
 */
public final class ClusterRecords {
    private static final Logger log = LoggerFactory.getLogger(ClusterRecords.class);

    /** The name of a cluster's backup settings in its directory (ClusterBackups.settingsFile). */
    private static final String BACKUP_SETTINGS = "backup.json";

    private final PgflyHome home;
    private final Installation shared;

    ClusterRecords(PgflyHome home) {
        this(home, null);
    }

    ClusterRecords(PgflyHome home, Installation shared) {
        this.home = home;
        this.shared = shared;
    }

    boolean exists(String name) {
        return shared != null ? tryLoad(name).isPresent() : home.clusterExists(name);
    }

    /** Removes the record from the store (the local directory is the caller's). */
    void delete(String name) {
        if (shared != null) {
            fromStore(() -> {
                shared.deleteCluster(name);
                return null;
            });
        }
    }

    /** Writes the local copy only: a node keeps one of every record it runs a part of. */
    void saveLocalCopy(LocalCluster cluster) throws IOException {
        Path file = home.clusterFile(cluster.spec().name());
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("cluster.json.tmp");
        Files.writeString(tmp, Json.pretty(cluster));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Puts the cluster's secrets directory (passwords, token, TLS CA and keys) into the store, so that every
     * node that runs a member has them; a no-op on a one-host install.
     */
    void shareFiles(String name) throws IOException {
        if (shared == null) {
            return;
        }
        java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
        // The backup settings (where the cluster archives), beside the secrets: every node's archiver needs them.
        Path backup = home.clusterDir(name).resolve(BACKUP_SETTINGS);
        if (Files.isRegularFile(backup, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            files.put(BACKUP_SETTINGS, Files.readAllBytes(backup));
        }
        try (Stream<Path> list = Files.list(home.secretsDir(name))) {
            for (Path f : list.toList()) {
                if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !f.getFileName().toString().contains(".tmp")) {
                    files.put(f.getFileName().toString(), Files.readAllBytes(f));
                }
            }
        }
        fromStore(() -> {
            shared.putFiles(name, files);
            return null;
        });
    }

    /** Writes the cluster's shared secrets this node lacks (0600, never over a file it has). */
    void fetchFiles(String name) throws IOException {
        if (shared == null) {
            return;
        }
        // The reconciler asks every few seconds: the names are one read, and only a file this node lacks is fetched.
        Path dir = home.secretsDir(name);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        for (String key : fromStore(() -> shared.fileNames(name))) {
            Path file = key.equals(BACKUP_SETTINGS) ? home.clusterDir(name).resolve(BACKUP_SETTINGS) : dir.resolve(key);
            if (!key.matches("[A-Za-z0-9._-]{1,100}") || Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            java.util.Optional<byte[]> content = fromStore(() -> shared.file(name, key));
            if (content.isPresent()) {
                dev.pgfly.core.util.Secrets.writePrivate(file, new String(content.get(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    private interface StoreCall<T> {
        T call() throws Exception;
    }

    private static <T> T fromStore(StoreCall<T> call) {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the coordination store is unreachable: " + e.getMessage(), e);
        }
    }

    /** One record, as is: a read error is the caller's to report. */
    public static LocalCluster read(Path file) throws IOException {
        return Json.read(Files.readAllBytes(file), LocalCluster.class);
    }

    /** Every readable record, by name. */
    List<LocalCluster> all() {
        if (shared != null) {
            return fromStore(shared::clusters);
        }
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

    Optional<LocalCluster> tryLoad(String name) {
        if (shared != null) {
            return fromStore(() -> shared.cluster(name));
        }
        Path file = home.clusterFile(name);
        try {
            return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    void save(LocalCluster cluster) throws IOException {
        if (shared != null) {
            fromStore(() -> {
                shared.putCluster(cluster);
                return null;
            });
        }
        saveLocalCopy(cluster);
    }
}
