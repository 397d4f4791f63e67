package dev.pgfly.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The directory of one member on this host, and where each of its files lives:
 *
 * <pre>
 * member-dir/       mode 0710, group of PostgreSQL's OS user: only it may pass through, nobody else may enter
 *   data/            PGDATA, owned by the PostgreSQL OS user
 *   postgres.log     PostgreSQL's own log (0600)
 *   pgpass           libpq password file for replication and pg_rewind (mode 0600)
 *   lease.uptime     the watchdog lease: a deadline in ms of the monotonic clock (/proc/uptime), 0 when not a primary
 *   lease            the same deadline on the wall clock, for watchdogs an older pgfly started
 *   pgfly-watchdog.sh
 *   tls/             with TLS on: server.crt, server.key (0600, PostgreSQL's user), root.crt (the cluster's CA);
 *                    outside PGDATA, so that clones and snapshots never carry a member's key
 * </pre>
 */
public record MemberDirectory(Path path) {
    public MemberDirectory {
        path = path.toAbsolutePath();
    }

    public Path dataDir() {
        return path.resolve("data");
    }

    public Path logFile() {
        return path.resolve("postgres.log");
    }

    public Path passFile() {
        return path.resolve("pgpass");
    }

    public Path leaseFile() {
        return path.resolve("lease.uptime");
    }

    /** The lease as watchdogs before the monotonic one read it: a deadline in ms of the wall clock. */
    public Path legacyLeaseFile() {
        return path.resolve("lease");
    }

    public Path watchdogScript() {
        return path.resolve("pgfly-watchdog.sh");
    }

    public Path tlsDir() {
        return path.resolve("tls");
    }

    /**
     * Creates a member directory (or fixes an existing one): owned by pgfly's user, and only searchable,
     * not readable, by PostgreSQL's OS user through its group (mode 0710). Nobody else may enter it: it
     * holds the logs (a password typed into a failing statement ends up in postgres.log), the lease and
     * the password file. PostgreSQL's user needs to pass through it to its data directory, TLS files and
     * password file, and may not create or rename anything in it: that is what makes it the safe place
     * from which {@link OwnedFiles} renames new files into the data directory.
     */
    public static void prepare(Path memberDir, OsUser user) throws IOException {
        Files.createDirectories(memberDir);
        if (user.dropsPrivileges()) {
            Files.getFileAttributeView(memberDir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setGroup(user.group(memberDir));
            Files.setPosixFilePermissions(memberDir, PosixFilePermissions.fromString("rwx--x---"));
        } else {
            Files.setPosixFilePermissions(memberDir, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
