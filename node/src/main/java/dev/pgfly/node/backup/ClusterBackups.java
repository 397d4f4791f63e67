package dev.pgfly.node.backup;

import dev.pgfly.backup.Progress;
import dev.pgfly.backup.RecoveryTarget;
import dev.pgfly.backup.Restorer;
import dev.pgfly.backup.SnapshotCatalog;
import dev.pgfly.backup.SnapshotManifest;
import dev.pgfly.backup.SnapshotTaker;
import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.backup.store.StoreSettings;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.postgres.MemberDirectory;
import dev.pgfly.postgres.OsUser;
import dev.pgfly.postgres.OwnedFiles;
import dev.pgfly.postgres.PgBinaries;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgInstance;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Backups of the clusters of one pgfly home: their settings, the files PostgreSQL's archiver uses,
 * snapshots, verification and restores. Used by the CLI (with progress on the terminal) and by the
 * daemon (schedule, create --from-backup / --fork-from).
 *
 * <p>PostgreSQL runs {@code archive_command} as its own OS user, so everything it touches is made
 * reachable by that user: per cluster an {@code archive/} directory beside the members' directories
 * (owned by that user, mode 0700) with the store settings ({@code store.json}, 0600, which may hold S3
 * credentials) and the {@code pgfly-wal} script that runs this jar with this JDK; and, for a local
 * store, the store's directories.
 */
public final class ClusterBackups {
    public static final String ARCHIVE_TIMEOUT = "60s";
    private static final String SCRIPT = "pgfly-wal";
    private static final String SOURCE_SCRIPT = "pgfly-wal-source";

    private final PgflyHome home;
    private final OsUser user = OsUser.forPostgres();

    public ClusterBackups(PgflyHome home) {
        this.home = home;
    }

    // ------------------------------------------------------------------ settings

    /** Where local backups go by default: under the home, or /var/lib/pgfly when PostgreSQL's user cannot reach the home. */
    public StoreSettings defaultBase() {
        Path preferred = home.root().resolve("backups");
        if (user.canReach(home.root())) {
            return StoreSettings.local(preferred);
        }
        return StoreSettings.local(Path.of("/var/lib/pgfly", Integer.toHexString(home.root().toString().hashCode()), "backups"));
    }

    public Path settingsFile(String cluster) {
        return home.clusterDir(cluster).resolve("backup.json");
    }

    public Optional<BackupSettings> settings(String cluster) {
        Path file = settingsFile(cluster);
        try {
            return Files.exists(file) ? Optional.of(Json.read(Files.readAllBytes(file), BackupSettings.class)) : Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage());
        }
    }

    public BackupSettings requireSettings(String cluster) {
        return settings(cluster).orElseThrow(() -> new IllegalStateException("cluster '" + cluster
                + "' has no backup configuration (created before backups existed?): run 'pgfly backup config " + cluster + "'"));
    }

    public void save(String cluster, BackupSettings settings) throws IOException {
        Secrets.writePrivate(settingsFile(cluster), Json.pretty(settings));
    }

    /** The store of a cluster, for reading its backups: its own settings, or the given base (a destroyed cluster). */
    public StoreSettings storeOf(String cluster, StoreSettings base) {
        return settings(cluster).map(BackupSettings::store)
                .orElseGet(() -> (base != null ? base : defaultBase()).forCluster(cluster));
    }

    // ------------------------------------------------------------------ archiving

    public static Path archiveDir(LocalCluster cluster) {
        return Path.of(cluster.dataRoot()).getParent().resolve("archive");
    }

    /**
     * The PostgreSQL settings that make every member archive, replicas included ({@code archive_mode=always}).
     *
     * <p>Why not {@code on} (only the primary archives): a segment the primary completed but had not
     * archived yet when it died, or when a switchover's fast shutdown was cut short (the watchdog lease
     * ends it while the archiver's last round still runs), would be missing from the archive, a hole that
     * makes every point in time after it unrestorable until that member happens to lead again. With
     * {@code always} each replica archives the segments it received as well, so the new primary has
     * already archived (or will) everything it streamed. The cost is one {@code wal push} (a JVM start,
     * gzip and a checksum compared) per segment on every member; the second push of a segment finds it
     * archived with the same checksum and uploads nothing. The last partial segment of the old timeline
     * and the new timeline's history file are archived by the new primary at promotion.
     */
    public static Map<String, String> archiveSettings(LocalCluster cluster) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("archive_mode", "always");
        s.put("archive_command", shellQuote(archiveDir(cluster).resolve(SCRIPT).toString()) + " push \"%p\" \"%f\"");
        // A quiet cluster still reaches the archive within a minute: the bound on what PITR can lose.
        s.put("archive_timeout", ARCHIVE_TIMEOUT);
        return s;
    }

    static String restoreCommand(LocalCluster cluster, String script) {
        return shellQuote(archiveDir(cluster).resolve(script).toString()) + " fetch \"%f\" \"%p\"";
    }

    /** Settings, store directories and archiver files of a new (or newly configured) cluster. */
    public void setUp(LocalCluster cluster, BackupSettings settings) throws IOException {
        save(cluster.spec().name(), settings);
        prepareStore(settings.store());
        writeArchiveFiles(cluster, settings.store(), "store.json", SCRIPT);
    }

    /**
     * This node's part of a cluster's archiving (an installation of several hosts: every node that runs a
     * member writes its own archiver files, from the settings the store shares); nothing without settings.
     */
    public void prepareArchiving(LocalCluster cluster) throws IOException {
        Optional<BackupSettings> settings = settings(cluster.spec().name());
        if (settings.isPresent()) {
            prepareStore(settings.get().store());
            writeArchiveFiles(cluster, settings.get().store(), "store.json", SCRIPT);
        }
    }

    /** A new cluster must not archive into a place that holds another cluster's backups. */
    public void requireEmpty(StoreSettings store) throws IOException {
        try (BackupStore s = store.open()) {
            if (!s.list("").isEmpty()) {
                throw new IllegalArgumentException(s.describe() + " already holds backups (of a former cluster of that"
                        + " name?): delete them or choose another --backup-store");
            }
        }
    }

    private void prepareStore(StoreSettings store) throws IOException {
        if (store.isS3()) {
            return;
        }
        Path root = Path.of(store.location());
        Files.createDirectories(root.resolve("wal"));
        Files.createDirectories(root.resolve("snapshots"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        // The archiver writes wal/ as PostgreSQL's user; snapshots are written by pgfly itself. Each
        // directory is handed over on its own (never a walk through what that user may have put there).
        user.own(root.resolve("wal"));
        user.own(root.resolve("snapshots"));
        user.own(root);
    }

    private void writeArchiveFiles(LocalCluster cluster, StoreSettings store, String configName, String scriptName)
            throws IOException {
        Path dir = archiveDir(cluster);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        // The directory belongs to PostgreSQL's user: its files are made beside it and renamed in, so a
        // link that user planted under their names is replaced, never followed (see OwnedFiles).
        Path config = dir.resolve(configName);
        OwnedFiles.replace(config, Json.pretty(store), "rw-------", user);
        Path script = dir.resolve(scriptName);
        OwnedFiles.replace(script, script(dir, config), "rwxr-xr-x", user);
        user.own(dir);
    }

    /**
     * JVM options of the archive and restore commands. They are tuned to start fast: C1 only, serial GC,
     * and a class data archive of their own (below). {@code -Xrs} makes them die like any other program
     * when PostgreSQL ends them. On an immediate shutdown or a crash restart, PostgreSQL sends SIGQUIT to
     * the archiver's and startup process's whole process group. A JVM would answer SIGQUIT with a thread
     * dump and keep going: a push would outlive its server, run beside the next server's archiver, and
     * be left behind after {@code pgfly stop}.
     */
    static final List<String> WAL_JVM_OPTIONS = List.of("-Xrs", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xss512k", "-Xmx256m");

    /**
     * The script PostgreSQL runs: this JDK and jar with {@link #WAL_JVM_OPTIONS}, and a class data
     * archive of its own that the JVM creates on first use.
     */
    private static String script(Path dir, Path config) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = Path.of(System.getProperty("java.class.path")).toAbsolutePath().normalize().toString();
        return "#!/bin/sh\n# Written by pgfly: PostgreSQL's archive/restore command (runs as PostgreSQL's OS user).\n"
                + "exec " + shellQuote(java) + " " + String.join(" ", WAL_JVM_OPTIONS)
                + " -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="
                + shellQuote(dev.pgfly.core.util.ClassDataSharing.archive(dir, Path.of(jar), "wal").toString())
                + " -Xlog:disable -Dpgfly.role=wal -cp " + shellQuote(jar)
                + " dev.pgfly.cli.Main wal --store-config " + shellQuote(config.toString()) + " \"$@\"\n";
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    // ------------------------------------------------------------------ snapshots

    public BackupStore openStore(String cluster) {
        return requireSettings(cluster).store().open();
    }

    /** Takes a snapshot of a running cluster (one at a time per cluster), then applies retention. */
    public SnapshotManifest snapshot(LocalCluster cluster, ClusterView view, Progress progress) throws IOException {
        String name = cluster.spec().name();
        BackupSettings settings = requireSettings(name);
        MemberView source = SourceChoice.choose(view).orElseThrow(() ->
                new IllegalStateException("cluster '" + name + "' has no running member to take a snapshot from"));
        Secrets secrets = Secrets.readFrom(home.secretsDir(name));
        try (FileLock lock = lock(name); BackupStore store = settings.store().open()) {
            SnapshotTaker taker = new SnapshotTaker(store, PgBinaries.locate(cluster.pgBin()),
                    home.clusterDir(name).resolve("tmp"));
            SnapshotManifest manifest = taker.take(new SnapshotTaker.Source(name, source.name(), source.host(),
                    source.port(), secrets.replicationPassword(),
                    dev.pgfly.node.tls.ClusterTls.clientTls(home, cluster.spec())), progress);
            new SnapshotCatalog(store).applyRetention(settings.retentionWindow(), java.time.Instant.now());
            return manifest;
        }
    }

    private FileLock lock(String cluster) throws IOException {
        Path file = home.clusterDir(cluster).resolve("backup.lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.tryLock();
        if (lock == null) {
            ch.close();
            throw new IllegalStateException("a snapshot of '" + cluster + "' is already being taken");
        }
        return lock;
    }

    // ------------------------------------------------------------------ verify

    /** What a verification found. */
    public record Verified(String id, long bytesChecked, int databases, long databaseBytes, double seconds) {
    }

    /**
     * Checks every object of a snapshot against its checksum, then restores it into a scratch
     * directory, starts it (as PostgreSQL's user, on a free loopback port) and queries it; removes it after.
     */
    public Verified verify(LocalCluster cluster, String id, Progress progress) throws IOException {
        long started = System.nanoTime();
        try (BackupStore store = openStore(cluster.spec().name())) {
            SnapshotCatalog catalog = new SnapshotCatalog(store);
            SnapshotManifest manifest = catalog.get(id);
            long checked = 0;
            Progress check = progress.next("checksums");
            for (SnapshotManifest.File f : manifest.files()) {
                checked += store.verify(f.key());
                check.update(checked);
            }
            check.done(checked);
            // Beside the archive directory, not in it (that one is PostgreSQL's user's): a member directory
            // of root's, as every restore needs (see Restorer).
            Path scratch = archiveDir(cluster).resolveSibling("verify-" + id);
            FileTrees.delete(scratch);
            MemberDirectory.prepare(scratch, user);
            try {
                Restorer restorer = new Restorer(store, PgBinaries.locate(cluster.pgBin()), user);
                restorer.unpack(manifest, scratch.resolve("data"), check.next("restore"));
                Restorer.Options options = new Restorer.Options("127.0.0.1", freePort(), new RecoveryTarget.SnapshotEnd(),
                        restoreCommand(cluster, SCRIPT), null, Duration.ofHours(6));
                try (Restorer.Session session = restorer.recover(scratch.resolve("data"), options, Progress.silent())) {
                    String[] out = session.sql("SELECT count(*) FROM pg_database WHERE datallowconn;\n"
                            + "SELECT sum(pg_database_size(oid)) FROM pg_database;").strip().split("\n");
                    return new Verified(id, checked, Integer.parseInt(out[0].strip()), Long.parseLong(out[1].strip()),
                            (System.nanoTime() - started) / 1e9);
                }
            } finally {
                FileTrees.delete(scratch);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ restore into a new cluster

    /** A restore, checked before anything is created. */
    public record PlannedRestore(String sourceCluster, StoreSettings sourceStore, SnapshotManifest snapshot,
                                 RecoveryTarget target) {
    }

    public PlannedRestore planRestore(String sourceCluster, StoreSettings sourceStore, Optional<String> snapshotId,
                                      RecoveryTarget target) throws IOException {
        try (BackupStore store = sourceStore.open()) {
            List<SnapshotManifest> snapshots = new SnapshotCatalog(store).list();
            if (snapshots.isEmpty() && snapshotId.isEmpty()) {
                throw new IllegalArgumentException("cluster '" + sourceCluster + "' has no snapshot in " + store.describe()
                        + ": take one with 'pgfly backup create " + sourceCluster + "'");
            }
            return new PlannedRestore(sourceCluster, sourceStore, target.chooseSnapshot(snapshots, snapshotId), target);
        }
    }

    /**
     * Prepares the first member's data directory of a new cluster from a backup: unpack, recover to the
     * target (reading WAL from the source's store, archiving to the new cluster's own), promote, and set
     * the new cluster's passwords. The agent then finds a data directory and starts from it.
     */
    public long restoreInto(LocalCluster cluster, PlannedRestore plan, Secrets secrets, Progress progress) throws IOException {
        MemberSpec first = cluster.spec().members().getFirst();
        Path memberDir = Path.of(cluster.dataRoot()).resolve(first.name());
        MemberDirectory.prepare(memberDir, user);
        writeArchiveFiles(cluster, plan.sourceStore(), "source-store.json", SOURCE_SCRIPT);
        try (BackupStore store = plan.sourceStore().open()) {
            Restorer restorer = new Restorer(store, PgBinaries.locate(cluster.pgBin()), user);
            long bytes = restorer.unpack(plan.snapshot(), memberDir.resolve("data"), progress);
            Map<String, String> archiving = new LinkedHashMap<>();
            // A cluster spread over nodes without a shared store does not archive (see Lifecycle.create).
            if (cluster.spec().settings().containsKey("archive_command")) {
                archiving.putAll(archiveSettings(cluster));
                // During recovery "always" would push every segment fetched from the source's archive into
                // the new cluster's store (a JVM each); the new cluster's own WAL starts at its promotion.
                archiving.put("archive_mode", "on");
            }
            Restorer.Options options = new Restorer.Options(first.host(), first.pgPort(), plan.target(),
                    restoreCommand(cluster, SOURCE_SCRIPT), archiving, Duration.ofHours(12));
            try (Restorer.Session session = restorer.recover(memberDir.resolve("data"), options, progress.next("recovery"))) {
                session.sql(passwordSql(secrets));
            }
            return bytes;
        } finally {
            Files.deleteIfExists(archiveDir(cluster).resolve("source-store.json"));
            Files.deleteIfExists(archiveDir(cluster).resolve(SOURCE_SCRIPT));
        }
    }

    /** The new cluster's own passwords for the roles pgfly uses (the restored ones are the source's). */
    static String passwordSql(Secrets secrets) {
        return "SET log_statement = 'none';\n"
                + "SELECT format('CREATE ROLE %I LOGIN', r) FROM unnest(ARRAY['" + PgConfig.AGENT_ROLE + "', '"
                + PgConfig.REPLICATION_ROLE + "']) r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \\gexec\n"
                + "ALTER ROLE " + PgConfig.SUPERUSER + " PASSWORD " + verifier(secrets.superuserPassword()) + ";\n"
                + "ALTER ROLE " + PgConfig.AGENT_ROLE + " SUPERUSER LOGIN PASSWORD " + verifier(secrets.agentPassword()) + ";\n"
                + "ALTER ROLE " + PgConfig.REPLICATION_ROLE + " REPLICATION LOGIN PASSWORD "
                + verifier(secrets.replicationPassword()) + ";\n";
    }

    /** A SCRAM verifier as a literal: the statements file and the server never hold the password itself. */
    private static String verifier(String password) {
        return literal(dev.pgfly.postgres.PgSql.scramVerifier(password));
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** On destroy: the cluster's backups in the default local store go with it (an S3 store is left alone). */
    public void forget(String cluster) throws IOException {
        Optional<BackupSettings> settings;
        try {
            settings = settings(cluster);
        } catch (IllegalStateException e) {
            settings = Optional.empty();
        }
        StoreSettings own = settings.map(BackupSettings::store).orElse(defaultBase().forCluster(cluster));
        Path base = Path.of(defaultBase().location());
        if (!own.isS3() && Path.of(own.location()).startsWith(base)) {
            FileTrees.delete(Path.of(own.location()));
        }
    }
}
