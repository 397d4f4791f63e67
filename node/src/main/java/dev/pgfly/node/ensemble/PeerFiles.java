package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.ZkTls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A quorum peer's files under its directory:
 * <pre>
 *   zoo.cfg                   static settings; ZooKeeper rewrites its dynamicConfigFile line on every reconfig
 *   zoo.cfg.dynamic.&lt;hex&gt;     the membership, one file per configuration version (ZooKeeper writes them)
 *   data/myid                 this peer's id
 *   data/version-2/           snapshots and transaction log
 * </pre>
 * Only the first start writes {@code zoo.cfg} and the first dynamic file; a restart reads what ZooKeeper
 * left, so a peer comes back with the last membership it knew, not with the one it was first given.
 */
final class PeerFiles {
    static final String STATIC_CONFIG = "zoo.cfg";
    /** ZooKeeper takes a dynamic file's version from its name; 0 marks a configuration no reconfig made. */
    static final String INITIAL_DYNAMIC_CONFIG = STATIC_CONFIG + ".dynamic.0";

    private final Path dir;

    PeerFiles(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    Path staticConfig() {
        return dir.resolve(STATIC_CONFIG);
    }

    Path dataDir() {
        return dir.resolve("data");
    }

    boolean exists() {
        return Files.exists(staticConfig());
    }

    /** The id in {@code data/myid}, if the peer was created before. */
    Optional<Integer> existingId() throws IOException {
        Path myid = dataDir().resolve("myid");
        if (!Files.exists(myid)) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(Files.readString(myid).strip()));
    }

    /** Writes a new peer's files; {@code members} already holds the peer itself. */
    void create(PeerAddress self, List<PeerAddress> members, PeerSettings settings) throws IOException {
        createPrivateDirectory(dir);
        createPrivateDirectory(dataDir());
        Files.writeString(dataDir().resolve("myid"), self.id() + "\n", StandardCharsets.UTF_8);
        Path dynamic = dir.resolve(INITIAL_DYNAMIC_CONFIG);
        Files.writeString(dynamic, dynamicConfig(members), StandardCharsets.UTF_8);
        // written last and renamed in: a peer whose first start died half-way is created again
        Path temporary = dir.resolve(STATIC_CONFIG + ".new");
        Files.writeString(temporary, settings.staticConfig(dataDir(), dynamic), StandardCharsets.UTF_8);
        Files.move(temporary, staticConfig(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Writes {@code zoo.cfg}'s TLS lines for {@code tls} (none for null), replacing the ones there: at every
     * start, so that a peer follows its node's TLS files whatever it was created with. ZooKeeper rewrites
     * this file on a reconfig, but only while running, and keeps lines it does not own.
     */
    void writeTls(ZkTls tls) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(staticConfig(), StandardCharsets.UTF_8).stream()
                .filter(line -> !PeerSettings.isTlsLine(line)).toList());
        if (tls != null) {
            lines.addAll(PeerSettings.tlsConfig(tls));
        }
        Path temporary = dir.resolve(STATIC_CONFIG + ".new");
        Files.writeString(temporary, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, staticConfig(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Owner only: the snapshots hold everything in the store, secrets included, and the ACLs that guard
     * them in ZooKeeper mean nothing to someone who reads the files.
     */
    private static void createPrivateDirectory(Path path) throws IOException {
        Files.createDirectories(path);
        if (Files.getFileAttributeView(path, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** ZooKeeper's dynamic file: one server line per member, by id. */
    static String dynamicConfig(List<PeerAddress> members) {
        List<PeerAddress> sorted = new ArrayList<>(members);
        sorted.sort(Comparator.comparingInt(PeerAddress::id));
        StringBuilder text = new StringBuilder();
        for (PeerAddress member : sorted) {
            text.append(member.serverLine()).append('\n');
        }
        return text.toString();
    }

    /**
     * The membership a new peer starts with: {@code initial} with the peer itself in it (replacing any
     * entry with its id). A peer alone must vote: an ensemble of observers has nobody to follow.
     */
    static List<PeerAddress> startingMembers(PeerAddress self, List<PeerAddress> initial) {
        List<PeerAddress> members = new ArrayList<>();
        for (PeerAddress peer : initial) {
            if (peer.id() != self.id()) {
                if (peer.clientAddress().equals(self.clientAddress())) {
                    throw new IllegalArgumentException("peer " + peer.id() + " has this peer's client address " + self.clientAddress());
                }
                members.add(peer);
            }
        }
        members.add(members.isEmpty() ? self.withRole(PeerRole.VOTER) : self);
        if (members.stream().noneMatch(PeerAddress::isVoter)) {
            throw new IllegalArgumentException("an ensemble needs at least one voter: " + initial);
        }
        return List.copyOf(members);
    }
}
