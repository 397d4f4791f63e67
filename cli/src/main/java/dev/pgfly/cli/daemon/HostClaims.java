package dev.pgfly.cli.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * The ports and address blocks that pgfly homes on one host hand out, claimed in a directory all of
 * them share, so that two daemons choosing at the same moment (a user's and a test's, two test runs
 * side by side) never choose the same one.
 *
 * <p>Finding a port free is not enough on its own: a chosen port is bound only when the proxy starts,
 * seconds (a cluster's bootstrap) later, and another daemon looking in between finds it free as well.
 * So a port claim lasts {@link #PORT_CLAIM_TTL}, long enough to bind what was chosen; after that the
 * bound port speaks for itself. An address block (N in 127.N.cluster.member) is a home's for as long as
 * that home exists: its members' addresses are written into its clusters' specs.
 *
 * <p>Written by hand: a lock file and one small file per claim. No library here keeps host-wide
 * claims between unrelated processes without a server of its own.
 */
final class HostClaims {
    static final Duration PORT_CLAIM_TTL = Duration.ofMinutes(10);
    static final int FIRST_BLOCK = 40;
    static final int BLOCKS = 200;
    private static final Logger log = LoggerFactory.getLogger(HostClaims.class);
    /** A FileLock is held per JVM, not per thread: threads of one JVM queue here first. */
    private static final Object IN_PROCESS = new Object();

    private final Path dir;
    private final Path home;
    private final Clock clock;

    HostClaims(Path dir, Path home, Clock clock) {
        this.dir = dir;
        this.home = home.toAbsolutePath().normalize();
        this.clock = clock;
    }

    /** The host's claims directory: under the system's temporary directory, shared by every user. */
    static HostClaims forHome(Path home) {
        return new HostClaims(Path.of(System.getProperty("java.io.tmpdir"), "pgfly-claims"), home, Clock.systemUTC());
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
            if (Files.exists(record)) {
                int block = Integer.parseInt(Files.readString(record).strip());
                write(blockClaim(block));
                return block;
            }
            for (int i = 0; i < BLOCKS; i++) {
                int block = FIRST_BLOCK + Math.floorMod(preferred - FIRST_BLOCK + i, BLOCKS);
                Path claim = blockClaim(block);
                if (!heldByAnother(claim, null) && write(claim)) {
                    Files.writeString(record, block + "\n");
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
        if (!Files.exists(claim)) {
            return false;
        }
        String owner = Files.readString(claim, StandardCharsets.UTF_8).strip();
        if (owner.equals(home.toString()) || !Files.isDirectory(Path.of(owner))) {
            return false;
        }
        return ttl == null || Files.getLastModifiedTime(claim).toInstant().isAfter(clock.instant().minus(ttl));
    }

    /** Writes this home's claim; false when it cannot (another user's stale claim in the shared directory). */
    private boolean write(Path claim) throws IOException {
        try {
            Files.writeString(claim, home + "\n", StandardCharsets.UTF_8);
            return true;
        } catch (AccessDeniedException e) {
            return false;
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
                prepareDirectory();
                try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
                    return body.run();
                }
            } catch (IOException e) {
                throw new IllegalStateException("host claims in " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The shared directory, open to every user's homes; a claim file stays its writer's (mode 644), so
     * another user's claim, even a stale one, is never taken over, only skipped.
     */
    private void prepareDirectory() throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir);
        Path lock = dir.resolve(".lock");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.createFile(lock);
            Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (FileAlreadyExistsException e) {
            // another daemon made it at the same moment
        } catch (IOException e) {
            log.warn("could not open {} to other users: {}", dir, e.getMessage());
        }
    }
}
