package dev.pgfly.backup;

import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.backup.store.StoredObject;
import dev.pgfly.backup.store.VerifyingInputStream;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.postgres.Command;
import dev.pgfly.postgres.OsUser;
import dev.pgfly.postgres.OwnedFiles;
import dev.pgfly.postgres.PgBinaries;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PostgresLog;
import dev.pgfly.postgres.ShutdownMode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Restores a snapshot into an empty data directory and runs PostgreSQL's recovery to the target:
 * every object is checked against its checksum while it is unpacked, then PostgreSQL starts (as its OS
 * user) with {@code recovery.signal}, replays the snapshot's own WAL and, for point-in-time recovery,
 * archived WAL fetched by {@code restore_command}, and promotes at the target. While it runs it listens
 * on TCP nowhere that matters and is reached only through a Unix socket in a private directory,
 * with trust authentication limited to that socket.
 *
 * <p>The server is left running for {@link Session#sql} (queries for verify, new passwords for a
 * restored cluster) and stopped by {@link Session#close}.
 */
public final class Restorer {
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);

    /** How the restored server runs: address and port, and what it archives (null: nothing). */
    public record Options(String host, int port, RecoveryTarget target, String restoreCommand,
                          Map<String, String> archiveSettings, Duration timeout) {
    }

    private final BackupStore store;
    private final PgBinaries bin;
    private final OsUser user;

    public Restorer(BackupStore store, PgBinaries bin, OsUser user) {
        this.store = store;
        this.bin = bin;
        this.user = user;
    }

    /** Unpacks the snapshot into {@code dataDir} (which must not exist or be empty), verifying every object. */
    public long unpack(SnapshotManifest snapshot, Path dataDir, Progress progress) throws IOException {
        prepareEmpty(dataDir);
        long total = 0;
        for (SnapshotManifest.File f : snapshot.files()) {
            if (f.name().equals("backup_manifest")) {
                // pg_basebackup's own manifest of the snapshot: kept in the store, not needed in PGDATA
                store.verify(f.key());
                continue;
            }
            StoredObject stored = store.stat(f.key())
                    .orElseThrow(() -> new IOException("snapshot " + snapshot.id() + " is incomplete: " + f.key() + " is missing"));
            if (stored.sha256() != null && !stored.sha256().equalsIgnoreCase(f.sha256())) {
                throw new IOException("snapshot " + snapshot.id() + ": the checksum of " + f.key()
                        + " does not match the manifest's");
            }
            Path into = f.name().startsWith("pg_wal.") ? dataDir.resolve("pg_wal") : dataDir;
            if (!f.name().startsWith("base.") && !f.name().startsWith("pg_wal.")) {
                throw new IOException("snapshot " + snapshot.id() + " has a tablespace (" + f.name() + "): not supported");
            }
            total += untar(f.key(), into, progress, total);
        }
        for (String leftover : List.of("postmaster.pid", "postmaster.opts", "standby.signal", "recovery.signal")) {
            Files.deleteIfExists(dataDir.resolve(leftover));
        }
        progress.done(total);
        return total;
    }

    private void prepareEmpty(Path dataDir) throws IOException {
        // The data directory's parent is a member directory only root can write: nobody can swap it.
        OwnedFiles.requireOnlyRootCanReplaceEntries(dataDir.toAbsolutePath().getParent());
        if (Files.exists(dataDir)) {
            try (var entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(dataDir + " is not empty: refusing to restore over it");
                }
            }
        } else {
            Files.createDirectories(dataDir);
        }
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        user.own(dataDir);
    }

    /** Streams one verified, gunzipped tarball into {@code tar -x}, run as PostgreSQL's user. */
    private long untar(String key, Path into, Progress progress, long before) throws IOException {
        Process tar = new ProcessBuilder(user.wrap(List.of("tar", "-x", "-f", "-", "-C", into.toString())))
                .redirectErrorStream(true).start();
        StringBuilder tarOutput = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                tarOutput.append(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // tar ended
            }
        });
        long bytes = 0;
        try (VerifyingInputStream raw = store.open(key)) {
            try (InputStream in = new GZIPInputStream(new java.io.FilterInputStream(raw) {
                @Override
                public void close() {
                    // the checksum still needs the rest of the object
                }
            }, 1 << 16); OutputStream out = tar.getOutputStream()) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    bytes += n;
                    progress.update(before + bytes);
                }
                // tar stops at its end-of-archive marker: the rest must still be read for the checksum.
                raw.drainAndVerify();
            } catch (dev.pgfly.backup.store.ChecksumMismatchException e) {
                throw e;
            } catch (IOException e) {
                // A corrupted object usually breaks gunzip or tar before its end: its checksum tells.
                raw.drainAndVerify();
                throw new IOException("cannot unpack " + key + ": " + e, e);
            }
        } catch (IOException e) {
            tar.destroyForcibly();
            throw e;
        }
        try {
            int exit = tar.waitFor();
            reader.join();
            if (exit != 0) {
                throw new IOException("tar could not unpack " + key + ": " + tarOutput.toString().strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return bytes;
    }

    /**
     * Configures recovery in an unpacked data directory and runs it: returns once PostgreSQL has
     * reached the target and promoted (it keeps running; close the session to stop it).
     */
    public Session recover(Path dataDir, Options options, Progress progress) throws IOException {
        Path memberDir = dataDir.getParent();
        // Unix socket paths are limited to about 100 bytes: a short private directory under /tmp.
        Path socketDir = Files.createTempDirectory(Path.of("/tmp"), "pgfly-restore-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        user.own(socketDir);
        writeOwned(dataDir.resolve("pgfly.conf"), PgConfig.renderConf(recoverySettings(options, socketDir)));
        // Only the private socket, and only there without a password: nobody else can reach this server.
        writeOwned(dataDir.resolve("pg_hba.conf"), "# restore in progress (pgfly)\nlocal all all trust\n");
        writeOwned(dataDir.resolve("recovery.signal"), "");
        Path log = memberDir.resolve("restore.log");
        // pg_ctl writes the log as PostgreSQL's user, who may not create files in the member directory
        // (root's, 0710): made there by root, 0600, and handed over.
        OwnedFiles.requireOnlyRootCanReplaceEntries(memberDir);
        Files.deleteIfExists(log);
        PostgresLog.createPrivate(log);
        user.own(log);
        Session session = new Session(dataDir, socketDir, options.port(), log);
        Command.Result start = Command.run(user.wrap(List.of(bin.tool("pg_ctl"), "start", "-D", dataDir.toString(),
                "-l", log.toString(), "-W")), Map.of(), Duration.ofSeconds(30));
        if (!start.ok()) {
            session.close();
            throw new IOException("PostgreSQL did not start for the restore: " + start.lastLine());
        }
        try {
            session.awaitPromoted(options.timeout(), progress);
        } catch (IOException e) {
            session.close();
            throw e;
        }
        return session;
    }

    static Map<String, String> recoverySettings(Options options, Path socketDir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("listen_addresses", options.host());
        s.put("port", Integer.toString(options.port()));
        s.put("unix_socket_directories", socketDir.toString());
        // No connections before recovery has ended: the server is "ready" only once promoted.
        s.put("hot_standby", "off");
        s.put("wal_level", "replica");
        s.put("shared_buffers", "128MB");
        s.put("max_connections", "20");
        s.put("logging_collector", "off");
        s.put("log_line_prefix", "%m [%p] ");
        s.put("recovery_target_timeline", "latest");
        if (!options.target().readsArchive()) {
            // PostgreSQL wants a restore_command in archive recovery; this one finds nothing and runs no program.
            s.put("restore_command", "exit 1");
        } else if (options.restoreCommand() != null) {
            s.put("restore_command", options.restoreCommand());
        }
        s.putAll(options.target().settings());
        if (options.archiveSettings() != null && !options.archiveSettings().isEmpty()) {
            s.putAll(options.archiveSettings());
        } else {
            s.put("archive_mode", "off");
        }
        return s;
    }

    /**
     * A file for PostgreSQL's user in a directory it can write (the data directory): never written by
     * name there, but made beside it and renamed in (see {@link OwnedFiles}), so that a link planted
     * under that name is replaced, not followed.
     */
    private void writeOwned(Path file, String content) throws IOException {
        OwnedFiles.replace(file, content, "rw-------", user);
    }

    /** A restored PostgreSQL running for the restore only. */
    public final class Session implements AutoCloseable {
        private final Path dataDir;
        private final Path socketDir;
        private final int port;
        private final Path log;

        private Session(Path dataDir, Path socketDir, int port, Path log) {
            this.dataDir = dataDir;
            this.socketDir = socketDir;
            this.port = port;
            this.log = log;
        }

        private void awaitPromoted(Duration timeout, Progress progress) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean seenRunning = false;
            while (System.nanoTime() < deadline) {
                String status = postmasterStatus();
                if ("ready".equals(status)) {
                    if (!sql("SELECT pg_is_in_recovery()").strip().equals("f")) {
                        throw new IOException("the restored server is still in recovery");
                    }
                    return;
                }
                if (status == null && seenRunning) {
                    throw new IOException("recovery failed: " + failureReason());
                }
                seenRunning |= status != null;
                if (status == null && !seenRunning && System.nanoTime() > deadline - timeout.toNanos() + 10_000_000_000L) {
                    throw new IOException("recovery did not start: " + failureReason());
                }
                progress.update(restoredWalBytes());
                sleep(200);
            }
            throw new IOException("recovery did not finish within " + timeout.toMinutes() + " min: " + failureReason());
        }

        /** The postmaster's status line (starting, ready, standby...), or null when it is not running. */
        private String postmasterStatus() {
            Path pid = dataDir.resolve("postmaster.pid");
            try {
                List<String> lines = OwnedFiles.readRegular(pid).map(t -> t.lines().toList()).orElse(List.of());
                if (lines.isEmpty()) {
                    return null;
                }
                long p = Long.parseLong(lines.getFirst().strip());
                if (ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)) {
                    return lines.size() >= 8 ? lines.get(7).strip() : "starting";
                }
                return null;
            } catch (IOException | NumberFormatException e) {
                return null;
            }
        }

        private long restoredWalBytes() {
            try {
                return Files.exists(log) ? Files.readAllLines(log).stream()
                        .filter(l -> l.contains("restored log file")).count() * WalNames.SEGMENT_SIZE : 0;
            } catch (IOException e) {
                return 0;
            }
        }

        /** The first FATAL/PANIC line of the restore's log, with pgfly's own complaint (a checksum) when there is one. */
        String failureReason() {
            try {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                String pgfly = lines.stream().filter(l -> l.startsWith("pgfly: ") && !l.contains("not in the archive"))
                        .reduce((a, b) -> b).orElse(null);
                String fatal = lines.stream().filter(l -> l.contains("FATAL:") || l.contains("PANIC:"))
                        .map(l -> l.substring(Math.max(0, l.indexOf("FATAL:") >= 0 ? l.indexOf("FATAL:") : l.indexOf("PANIC:"))))
                        .findFirst().orElse(lines.isEmpty() ? "(no log output)" : lines.getLast());
                if (pgfly == null && fatal.contains("before configured recovery target was reached")) {
                    // PostgreSQL logs the archive's last commit when its redo ends: where the archive ends.
                    String last = lines.stream().filter(l -> l.contains("last completed transaction was at log time "))
                            .map(l -> l.substring(l.indexOf("last completed transaction was at log time ")
                                    + "last completed transaction was at log time ".length()).strip())
                            .reduce((a, b) -> b).map(t -> "the archive ends with a commit at " + t)
                            .orElse("the archive holds no commit after the snapshot");
                    return fatal + " (" + last + ": the target is later than anything archived)";
                }
                return pgfly != null ? pgfly.substring("pgfly: ".length()) + " (" + fatal + ")" : fatal;
            } catch (IOException e) {
                return "see " + log;
            }
        }

        /**
         * Runs SQL through the private socket as the superuser; returns psql's unaligned output. The
         * statements (new passwords among them) go through a 0600 file in the member directory, which
         * only root can write (the socket directory belongs to PostgreSQL's user).
         */
        public String sql(String sql) throws IOException {
            Path file = dataDir.getParent().resolve("statements.sql");
            // The restored databases are the source cluster's, apps' objects included: names resolve in
            // pg_catalog only (PinnedSearchPath), as in every other session pgfly opens.
            writeOwned(file, dev.pgfly.postgres.PinnedSearchPath.SET + ";\n" + sql + "\n");
            try {
                Command.Result r = Command.run(user.wrap(List.of(bin.tool("psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                        "-h", socketDir.toString(), "-p", Integer.toString(port), "-U", PgConfig.SUPERUSER,
                        "-d", "postgres", "-f", file.toString())), Map.of(), Duration.ofMinutes(10));
                if (!r.ok()) {
                    throw new IOException("query on the restored server failed: " + r.lastLine());
                }
                return r.output();
            } finally {
                Files.deleteIfExists(file);
            }
        }

        public Path log() {
            return log;
        }

        /** Stops the server (fast shutdown: a clean checkpoint) and removes the private socket directory. */
        @Override
        public void close() throws IOException {
            if (postmasterStatus() != null) {
                Command.Result r = Command.run(user.wrap(List.of(bin.tool("pg_ctl"), "stop", "-D", dataDir.toString(),
                        "-m", ShutdownMode.FAST.pgCtlName(), "-w", "-t", Long.toString(STOP_TIMEOUT.toSeconds()))), Map.of(), STOP_TIMEOUT.plusSeconds(5));
                if (!r.ok() && postmasterStatus() != null) {
                    Command.run(user.wrap(List.of(bin.tool("pg_ctl"), "stop", "-D", dataDir.toString(), "-m", ShutdownMode.IMMEDIATE.pgCtlName())),
                            Map.of(), Duration.ofSeconds(30));
                }
            }
            FileTrees.delete(socketDir);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
