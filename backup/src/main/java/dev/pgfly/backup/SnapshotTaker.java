package dev.pgfly.backup;

import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.backup.store.StoredObject;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.postgres.Command;
import dev.pgfly.postgres.PgBinaries;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgTls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Takes a snapshot: {@code pg_basebackup -Ft -X stream} (gzip level 1) from one member into a private
 * scratch directory, uploads the tarballs, and writes the manifest last. The WAL needed to make the
 * snapshot consistent is inside it ({@code pg_wal.tar.gz}), so a snapshot restores on its own; the
 * WAL archive carries it further for point-in-time recovery.
 */
public final class SnapshotTaker {
    private static final Pattern START = Pattern.compile("write-ahead log start point: ([0-9A-F]+/[0-9A-F]+) on timeline (\\d+)");
    private static final Pattern END = Pattern.compile("write-ahead log end point: ([0-9A-F]+/[0-9A-F]+)");

    /** The member to copy from and how to reach it (with TLS: verify-full against the cluster's CA). */
    public record Source(String cluster, String member, String host, int port, String replicationPassword, PgTls tls) {
        public Source(String cluster, String member, String host, int port, String replicationPassword) {
            this(cluster, member, host, port, replicationPassword, PgTls.OFF);
        }
    }

    private final BackupStore store;
    private final PgBinaries bin;
    private final Path scratchParent;

    public SnapshotTaker(BackupStore store, PgBinaries bin, Path scratchParent) {
        this.store = store;
        this.bin = bin;
        this.scratchParent = scratchParent;
    }

    public SnapshotManifest take(Source source, Progress progress) throws IOException {
        Instant started = Instant.now();
        String id = freeId(started);
        Files.createDirectories(scratchParent);
        Path scratch = Files.createTempDirectory(scratchParent, "snapshot-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        List<StoredObject> uploaded = new ArrayList<>();
        try {
            Path pgpass = scratch.resolve("pgpass");
            Files.writeString(pgpass, "*:*:*:" + PgConfig.REPLICATION_ROLE + ":" + source.replicationPassword() + "\n");
            Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
            Path out = scratch.resolve("out");
            Command.Result result = runBasebackup(source, out, pgpass, id, progress);
            if (!result.ok()) {
                throw new IOException("pg_basebackup from " + source.member() + " failed: " + result.lastLine());
            }
            Matcher start = START.matcher(result.output());
            Matcher end = END.matcher(result.output());
            if (!start.find() || !end.find()) {
                throw new IOException("pg_basebackup did not report the WAL range of the snapshot");
            }
            Instant ended = Instant.now();
            List<Path> files;
            try (Stream<Path> list = Files.list(out)) {
                files = list.sorted().toList();
            }
            long total = 0;
            for (Path f : files) {
                total += Files.size(f);
            }
            Progress upload = progress.next("upload to " + store.describe());
            long done = 0;
            List<SnapshotManifest.File> entries = new ArrayList<>();
            for (Path f : files) {
                String name = f.getFileName().toString();
                StoredObject o = store.put(SnapshotManifest.prefix(id) + name, f);
                uploaded.add(o);
                entries.add(new SnapshotManifest.File(name, o.key(), o.size(), o.sha256()));
                done += o.size();
                upload.update(done);
            }
            upload.done(total);
            SnapshotManifest manifest = new SnapshotManifest(id, source.cluster(), source.member(), started, ended,
                    start.group(1), end.group(1), Integer.parseInt(start.group(2)), bin.majorVersion(), total, entries);
            store.put(SnapshotManifest.key(id), manifest.toJson());
            return manifest;
        } catch (IOException | RuntimeException e) {
            for (StoredObject o : uploaded) {
                try {
                    store.delete(o.key());
                } catch (IOException ignored) {
                    // best effort: without a manifest the snapshot is never used anyway
                }
            }
            throw e;
        } finally {
            FileTrees.delete(scratch);
        }
    }

    private Command.Result runBasebackup(Source source, Path out, Path pgpass, String id, Progress progress)
            throws IOException {
        List<String> argv = List.of(bin.tool("pg_basebackup"), "-h", source.host(), "-p", Integer.toString(source.port()),
                "-U", PgConfig.REPLICATION_ROLE, "-D", out.toString(), "-Ft", "-X", "stream", "--compress=client-gzip:1",
                "-c", "fast", "-l", "pgfly snapshot " + id, "-v", "--no-password");
        CompletableFuture<Command.Result> run = CompletableFuture.supplyAsync(
                () -> Command.run(argv, env(source, pgpass), Duration.ofHours(12)),
                r -> Thread.ofVirtual().start(r));
        while (!run.isDone()) {
            progress.update(directorySize(out));
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        Command.Result result = run.join();
        progress.done(directorySize(out));
        return result;
    }

    private static Map<String, String> env(Source source, Path pgpass) {
        Map<String, String> env = new java.util.LinkedHashMap<>(source.tls().libpqEnv());
        env.put("PGPASSFILE", pgpass.toString());
        return env;
    }

    /** Snapshot ids are timestamps; two in the same second get a suffix. */
    private String freeId(Instant at) throws IOException {
        String base = SnapshotManifest.newId(at);
        String id = base;
        for (int n = 2; !store.list(SnapshotManifest.prefix(id)).isEmpty(); n++) {
            id = base + "-" + n;
        }
        return id;
    }

    static long directorySize(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
