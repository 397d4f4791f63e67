package dev.pgfly.node;


import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * The ports and address blocks that pgfly homes on one host hand out, claimed in a directory all of
 * one user's homes share, so that two daemons choosing at the same moment (a user's and a test's, two
 * test runs side by side) never choose the same one.
 *
 * <p>Finding a port free is not enough on its own: a chosen port is bound only when the proxy starts,
 * seconds (a cluster's bootstrap) later, and another daemon looking in between finds it free as well.
 * So a port claim lasts {@link #PORT_CLAIM_TTL}, long enough to bind what was chosen; after that the
 * bound port speaks for itself. An address block (N in 127.N.cluster.member) is a home's for as long as
 * that home exists: its members' addresses are written into its clusters' specs.
 *
 * <p>Written by hand: a lock file and one small file per claim. No library here keeps host-wide
 * claims between unrelated processes without a server of its own.
 *
 * <p>The directory is the user's own ({@link ClaimsDirectory}): it used to be one world-writable
 * directory in /tmp, where any local user could plant a symbolic link named like a claim and have
 * root's daemon overwrite the file it pointed at, delete or forge claims, or hold the lock forever.
 * Homes of different users now only meet at the ports themselves (a bound port is never chosen).
 * Claim files and the lock are opened without following symbolic links all the same.
 */
final class HostClaims {
    static final Duration PORT_CLAIM_TTL = Duration.ofMinutes(10);
    static final int FIRST_BLOCK = 40;
    static final int BLOCKS = 200;
    /** A FileLock is held per JVM, not per thread: threads of one JVM queue here first. */
    private static final Object IN_PROCESS = new Object();
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path dir;
    private final Path home;
    private final Clock clock;

    HostClaims(Path dir, Path home, Clock clock) {
        this.dir = dir;
        this.home = home.toAbsolutePath().normalize();
        this.clock = clock;
    }

    /** The claims directory of this process's user (see {@link ClaimsDirectory}). */
    static HostClaims forHome(Path home) {
        return new HostClaims(ClaimsDirectory.forCurrentUser(), home, Clock.systemUTC());
    }

    interface PortCheck {
        boolean isFree(String host, int port);
    }

    /**
     * The first port from {@code from} up, in steps of {@code step}, whose {@code span} consecutive ports
     * are free on {@code host}, none in {@code taken} and none claimed by another home; claimed for this one.
     */
    int claimFree(String host, int from, int step, int span, Set<Integer> taken, PortCheck check) {
        return locked(() -> {
            for (int port = from; port < from + 2000 * step; port += step) {
                if (claimable(host, port, span, taken, check)) {
                    claim(host, port, span);
                    return port;
                }
            }
            throw new IllegalStateException("no free port on " + host + " from " + from);
        });
    }

    /** Claims {@code port} (and the {@code span - 1} after it) for this home when they are free and unclaimed. */
    boolean tryClaim(String host, int port, int span, Set<Integer> taken, PortCheck check) {
        return locked(() -> {
            if (!claimable(host, port, span, taken, check)) {
                return false;
            }
            claim(host, port, span);
            return true;
        });
    }

    /**
     * This home's address block: the one it recorded, else {@code preferred} or the next one no other
     * existing home holds, recorded in {@code record} so that it stays the same across daemon restarts.
     */
    int addressBlock(Path record, int preferred) {
        return locked(() -> {
            if (Files.exists(record, LinkOption.NOFOLLOW_LINKS)) {
                int block = Integer.parseInt(read(record));
                write(blockClaim(block));
                return block;
            }
            for (int i = 0; i < BLOCKS; i++) {
                int block = FIRST_BLOCK + Math.floorMod(preferred - FIRST_BLOCK + i, BLOCKS);
                Path claim = blockClaim(block);
                if (!heldByAnother(claim, null) && write(claim)) {
                    writeNoFollow(record, block + "\n");
                    return block;
                }
            }
            throw new IllegalStateException("every address block 127." + FIRST_BLOCK + "-" + (FIRST_BLOCK + BLOCKS - 1)
                    + ".x.x is held by another pgfly home on this host");
        });
    }

    private boolean claimable(String host, int port, int span, Set<Integer> taken, PortCheck check) throws IOException {
        for (int p = port; p < port + span; p++) {
            if (p > 65535 || taken.contains(p) || heldByAnother(portClaim(host, p), PORT_CLAIM_TTL) || !check.isFree(host, p)) {
                return false;
            }
        }
        return true;
    }

    private void claim(String host, int port, int span) throws IOException {
        for (int p = port; p < port + span; p++) {
            write(portClaim(host, p));
        }
    }

    /** Whether another home holds the claim: it exists, and (for a bounded claim) is younger than {@code ttl}. */
    private boolean heldByAnother(Path claim, Duration ttl) throws IOException {
        if (!Files.exists(claim, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        String owner = read(claim);
        if (owner.equals(home.toString()) || !Files.isDirectory(Path.of(owner))) {
            return false;
        }
        return ttl == null || Files.getLastModifiedTime(claim, LinkOption.NOFOLLOW_LINKS).toInstant()
                .isAfter(clock.instant().minus(ttl));
    }

    /** Writes this home's claim; false when it cannot (a claim file it may not write). */
    private boolean write(Path claim) throws IOException {
        try {
            writeNoFollow(claim, home + "\n");
            return true;
        } catch (AccessDeniedException e) {
            return false;
        }
    }

    /** Replaces {@code file}'s content (mode 0600 when new); a symbolic link there fails (O_NOFOLLOW), never followed. */
    private static void writeNoFollow(Path file, String content) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS), PRIVATE)) {
            ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static String read(Path file) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // a claim is one line: a home's path
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        }
    }

    private Path portClaim(String host, int port) {
        return dir.resolve("port-" + host + "-" + port);
    }

    private Path blockClaim(int block) {
        return dir.resolve("block-" + block);
    }

    private interface Body<T> {
        T run() throws IOException;
    }

    private <T> T locked(Body<T> body) {
        synchronized (IN_PROCESS) {
            try {
                ClaimsDirectory.prepare(dir);
                try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), Set.of(StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PRIVATE); FileLock ignored = channel.lock()) {
                    return body.run();
                }
            } catch (IOException e) {
                throw new IllegalStateException("host claims in " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
