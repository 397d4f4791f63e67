package dev.pgfly.node.ensemble;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one-host daemon's standalone ZooKeeper data, handed to the quorum peer that a home becomes when
 * {@code pgfly node init} turns it into the first node of an installation. The standalone server keeps its
 * snapshots in {@code zookeeper/snap/version-2} and its transaction log in {@code zookeeper/log/version-2};
 * a peer keeps both in {@code zookeeper/data/version-2} ({@link PeerFiles}). Moving the files is all it
 * takes: a quorum peer that finds no {@code currentEpoch} file takes the epoch of the last transaction it
 * loads (ZooKeeper's documented upgrade from a standalone server), so every cluster's coordination state
 * (terms, history, timelines, the synchronous set) is there, under the same ACLs, when the peer starts.
 *
 * <p>Crash-safe: each file moves by one rename, and the old directories go only once empty, so a node that
 * dies half-way moves the rest at its next start. Nothing is copied and nothing is deleted but empty
 * directories.
 */
public final class StandaloneData {
    private static final Logger log = LoggerFactory.getLogger(StandaloneData.class);
    private static final List<String> STANDALONE_DIRS = List.of("snap", "log");
    private static final String VERSION_DIR = "version-2";

    private StandaloneData() {
    }

    /** Whether {@code zookeeperDir} holds (some of) a standalone server's files not yet handed to a peer. */
    public static boolean present(Path zookeeperDir) {
        return STANDALONE_DIRS.stream().anyMatch(d -> Files.isDirectory(zookeeperDir.resolve(d)));
    }

    /**
     * Moves the standalone server's snapshots and logs where the quorum peer of {@code zookeeperDir} reads
     * them; returns how many files moved (0 when there was nothing to move).
     */
    public static int moveToPeer(Path zookeeperDir) throws IOException {
        if (!present(zookeeperDir)) {
            return 0;
        }
        if (Files.exists(zookeeperDir.resolve(PeerFiles.STATIC_CONFIG))) {
            // A peer already runs on this directory with data of its own: mixing in older files would corrupt it.
            throw new IOException(zookeeperDir + " holds both a quorum peer and a standalone server's files: move "
                    + STANDALONE_DIRS + " aside by hand after checking which is current");
        }
        Path target = new PeerFiles(zookeeperDir).dataDir().resolve(VERSION_DIR);
        createPrivate(target.getParent());
        createPrivate(target);
        int moved = 0;
        for (String name : STANDALONE_DIRS) {
            Path dir = zookeeperDir.resolve(name);
            Path versioned = dir.resolve(VERSION_DIR);
            if (Files.isDirectory(versioned)) {
                try (Stream<Path> files = Files.list(versioned)) {
                    for (Path f : files.sorted().toList()) {
                        Files.move(f, target.resolve(f.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
                        moved++;
                    }
                }
                Files.delete(versioned);
            }
            Files.deleteIfExists(dir);
        }
        log.info("moved {} file(s) of the one-host ZooKeeper into {}", moved, target);
        return moved;
    }

    private static void createPrivate(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
