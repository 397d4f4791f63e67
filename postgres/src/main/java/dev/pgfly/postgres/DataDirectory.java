package dev.pgfly.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * PGDATA of one member: what it holds (data, standby.signal, an unstarted clone), the PostgreSQL programs
 * that make or change it (initdb, pg_basebackup, pg_rewind, pg_controldata), and the copies set aside
 * for a fresh clone. Every program runs as {@link OsUser}.
 */
public final class DataDirectory {
    private static final String SET_ASIDE_PREFIX = "data.old-";

    private final PgBinaries bin;
    private final OsUser user;
    private final MemberDirectory dir;
    private final Supplier<Map<String, String>> libpqEnv;

    /** @param libpqEnv the environment of pg_basebackup and pg_rewind: password file and TLS (see {@link ManagedFiles#libpqEnv}) */
    public DataDirectory(PgBinaries bin, OsUser user, MemberDirectory dir, Supplier<Map<String, String>> libpqEnv) {
        this.bin = bin;
        this.user = user;
        this.dir = dir;
        this.libpqEnv = libpqEnv;
    }

    public Path path() {
        return dir.dataDir();
    }

    public boolean hasData() {
        return Files.exists(path().resolve("PG_VERSION"));
    }

    /** Creates the member directory (searchable by the PostgreSQL user only) and an empty data directory it owns. */
    public void prepareDirectories() throws IOException {
        MemberDirectory.prepare(dir.path(), user);
        if (!Files.exists(path())) {
            Files.createDirectory(path());
        }
        Files.setPosixFilePermissions(path(), PosixFilePermissions.fromString("rwx------"));
        user.own(path());
    }

    public void initdb(String superuserPassword) throws IOException {
        prepareDirectories();
        Path pwfile = dir.path().resolve("initdb.pw");
        writePrivate(pwfile, superuserPassword + "\n");
        try {
            Command.Result r = Command.run(user.wrap(List.of(bin.tool("initdb"), "-D", path().toString(),
                    "--username=" + PgConfig.SUPERUSER, "--pwfile=" + pwfile, "--auth=scram-sha-256",
                    "--data-checksums", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")),
                    Map.of(), Duration.ofMinutes(5));
            if (!r.ok()) {
                throw new IOException("initdb failed: " + r.lastLine());
            }
        } finally {
            Files.deleteIfExists(pwfile);
        }
    }

    /** standby.signal, written where PostgreSQL's user can write: through {@link OwnedFiles}. */
    public void setStandby(boolean standby) throws IOException {
        Path signal = path().resolve("standby.signal");
        if (standby) {
            OwnedFiles.replaceIfChanged(signal, "", "rw-------", user);
        } else {
            Files.deleteIfExists(signal);
        }
    }

    public boolean isStandbyConfigured() {
        return Files.exists(path().resolve("standby.signal"), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * A fresh copy of the source, configured as a standby the moment it is complete. Never started, a clone
     * without standby.signal looks like a former primary; rewinding it makes pg_rewind run crash recovery,
     * which ends recovery on the clone's own: it writes WAL the primary never had, on the same timeline,
     * where pg_rewind cannot see a fork, and the replica can then never stream (a chaos run's round 53).
     */
    public Command.Result basebackup(String sourceHost, int sourcePort, String slot, Duration timeout) throws IOException {
        prepareDirectories();
        List<String> argv = new ArrayList<>(List.of(bin.tool("pg_basebackup"), "-h", sourceHost, "-p",
                Integer.toString(sourcePort), "-U", PgConfig.REPLICATION_ROLE, "-D", path().toString(),
                "-X", "stream", "-c", "fast", "--no-password"));
        if (slot != null) {
            argv.addAll(List.of("-S", slot));
        }
        Command.Result result = Command.run(user.wrap(argv), libpqEnv.get(), timeout);
        if (result.ok()) {
            setStandby(true);
        }
        return result;
    }

    /** A copy made by pg_basebackup and never started: it holds backup_label until its first start. */
    public boolean isUnstartedClone() {
        return Files.exists(path().resolve("backup_label"));
    }

    /** pg_rewind against the new primary; it runs crash recovery first when the target was not shut down cleanly. */
    public Command.Result rewind(String sourceHost, int sourcePort, Duration timeout) {
        String source = "host=" + sourceHost + " port=" + sourcePort + " user=" + PgConfig.SUPERUSER
                + " dbname=postgres connect_timeout=5";
        return Command.run(user.wrap(List.of(bin.tool("pg_rewind"), "-D", path().toString(),
                "--source-server=" + source, "--progress")), libpqEnv.get(), timeout);
    }

    public Map<String, String> controlData() {
        Command.Result r = Command.run(user.wrap(List.of(bin.tool("pg_controldata"), "-D", path().toString())),
                Map.of("LC_ALL", "C"), Duration.ofSeconds(10));
        Map<String, String> values = new LinkedHashMap<>();
        if (r.ok()) {
            for (String line : r.output().split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    values.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
        }
        return values;
    }

    /**
     * Moves the data directory aside (never deletes it) so that a fresh clone can take its place;
     * the caller removes the old copy only once the new one is complete.
     */
    public Path moveDataAside() throws IOException {
        Path aside = dir.path().resolve(SET_ASIDE_PREFIX + System.currentTimeMillis());
        Files.move(path(), aside, StandardCopyOption.ATOMIC_MOVE);
        return aside;
    }

    /** The data directories {@link #moveDataAside()} has set aside and nobody has removed yet. */
    public List<Path> setAsideCopies() throws IOException {
        try (var entries = Files.list(dir.path())) {
            return entries.filter(p -> p.getFileName().toString().startsWith(SET_ASIDE_PREFIX)).toList();
        }
    }

    private void writePrivate(Path file, String content) throws IOException {
        dev.pgfly.core.util.Secrets.writePrivate(file, content);
        user.own(file);
    }
}
