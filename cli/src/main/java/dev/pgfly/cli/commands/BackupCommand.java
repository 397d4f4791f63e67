package dev.pgfly.cli.commands;

import dev.pgfly.backup.ArchiverStatus;
import dev.pgfly.backup.Progress;
import dev.pgfly.backup.SnapshotCatalog;
import dev.pgfly.backup.SnapshotManifest;
import dev.pgfly.backup.WalArchive;
import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.backup.store.StoreSettings;
import dev.pgfly.cli.client.CliException;
import dev.pgfly.cli.client.SecretInput;
import dev.pgfly.core.util.Names;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.ClusterRecords;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.backup.BackupSettings;
import dev.pgfly.node.backup.ClusterBackups;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgLogin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.sql.Connection;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Snapshots and WAL archiving: create, list, delete, verify, status, config.",
        subcommands = {BackupCommand.Create.class, BackupCommand.ListSnapshots.class, BackupCommand.Delete.class,
                BackupCommand.Verify.class, BackupCommand.Status.class, BackupCommand.Config.class})
public final class BackupCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The cluster's on-disk record; refuses unknown clusters before anything else happens. */
    static LocalCluster cluster(String name) {
        Names.requireClusterName(name);
        PgflyHome home = PgflyHome.resolve();
        if (!home.clusterExists(name)) {
            throw new CliException("no cluster named '" + name + "'");
        }
        try {
            return ClusterRecords.read(home.clusterFile(name));
        } catch (IOException e) {
            throw new CliException("cannot read " + home.clusterFile(name) + ": " + e.getMessage());
        }
    }

    static ClusterBackups backups() {
        return new ClusterBackups(PgflyHome.resolve());
    }

    static Map<String, Object> row(SnapshotManifest m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", m.id());
        r.put("start_time", m.startTime().toString());
        r.put("end_time", m.endTime().toString());
        r.put("size_bytes", m.sizeBytes());
        r.put("start_lsn", m.startLsn());
        r.put("end_lsn", m.endLsn());
        r.put("timeline", m.timeline());
        r.put("source_member", m.sourceMember());
        r.put("pg_version", m.pgVersion());
        return r;
    }

    static Table table(List<SnapshotManifest> snapshots) {
        Table t = new Table("ID", "TIME", "SIZE", "LSN RANGE", "TL", "FROM", "PG");
        for (SnapshotManifest m : snapshots) {
            t.row(m.id(), m.endTime().toString(), Progress.size(m.sizeBytes()), m.startLsn() + " - " + m.endLsn(),
                    m.timeline(), m.sourceMember(), m.pgVersion());
        }
        return t;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Take a snapshot now (from a healthy replica when there is one), then apply retention.")
    public static final class Create extends ClusterCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = cluster(name);
            ClusterView view = daemon().convert(daemon().get(path(name)), ClusterView.class);
            SnapshotManifest m = backups().snapshot(cluster, view, Progress.onStderr("snapshot of " + name));
            if (json) {
                printJson(row(m));
            } else {
                System.out.println("Snapshot " + m.id() + " of '" + name + "' taken from " + m.sourceMember() + ".");
                System.out.print(table(List.of(m)).render());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Snapshots of a cluster, oldest first.")
    public static final class ListSnapshots implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            cluster(name);
            try (BackupStore store = backups().openStore(name)) {
                List<SnapshotManifest> snapshots = new SnapshotCatalog(store).list();
                if (json) {
                    ClusterCommand.printJson(snapshots.stream().map(BackupCommand::row).toList());
                } else {
                    System.out.print(table(snapshots).render());
                }
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one snapshot. Needs --yes.")
    public static final class Delete implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Option(names = "--yes", description = "Really delete it")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            cluster(name);
            try (BackupStore store = backups().openStore(name)) {
                SnapshotCatalog catalog = new SnapshotCatalog(store);
                catalog.get(id);
                if (!yes) {
                    throw new CliException("this deletes snapshot " + id + " of '" + name + "': repeat with --yes");
                }
                catalog.delete(id);
            }
            System.out.println("Snapshot " + id + " of '" + name + "' deleted.");
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a snapshot's checksums, then restore it into a scratch directory, start and query it.")
    public static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = cluster(name);
            ClusterBackups.Verified v = backups().verify(cluster, id, Progress.onStderr("verify " + id));
            if (json) {
                ClusterCommand.printJson(v);
            } else {
                System.out.printf("Snapshot %s of '%s' is good: %s checked, restored and started in %.1f s;"
                                + " %d databases, %s.%n", id, name, Progress.size(v.bytesChecked()), v.seconds(),
                        v.databases(), Progress.size(v.databaseBytes()));
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Store, schedule, snapshots and the primary's WAL archiver (failures included).")
    public static final class Status implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = cluster(name);
            BackupSettings settings = backups().requireSettings(name);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("store", settings.store().display());
            s.put("schedule", settings.schedule());
            s.put("retention", settings.retention());
            try (BackupStore store = settings.store().open()) {
                List<SnapshotManifest> snapshots = new SnapshotCatalog(store).list();
                s.put("snapshots", snapshots.size());
                s.put("newest_snapshot", snapshots.isEmpty() ? null : snapshots.getLast().id());
                WalArchive wal = new WalArchive(store);
                s.put("wal_files", wal.names().size());
                // Diverged copies of old-timeline segments that members pushed after a failover (see WalArchive).
                s.put("wal_conflicts_kept_aside", wal.conflicts().size());
            }
            ArchiverStatus archiver = archiver(cluster);
            s.put("archiver", archiver);
            s.put("archiving_failing", archiver != null && archiver.failing());
            if (json) {
                ClusterCommand.printJson(s);
                return 0;
            }
            Table t = new Table("KEY", "VALUE");
            s.forEach((k, v) -> {
                if (!k.equals("archiver")) {
                    t.row(k, v);
                }
            });
            if (archiver == null) {
                t.row("archiver", "primary not reachable");
            } else {
                t.row("archived", archiver.archivedCount() + " (last " + archiver.lastArchivedWal() + " at "
                        + archiver.lastArchivedTime() + ")");
                t.row("failed", archiver.failedCount() + (archiver.lastFailedTime() == null ? ""
                        : " (last " + archiver.lastFailedWal() + " at " + archiver.lastFailedTime() + ")"));
            }
            System.out.print(t.render());
            return 0;
        }

        /** pg_stat_archiver of the primary, through the proxy; null when it cannot be reached. */
        static ArchiverStatus archiver(LocalCluster cluster) {
            try {
                Secrets secrets = Secrets.readFrom(PgflyHome.resolve().secretsDir(cluster.spec().name()));
                Properties p = PgLogin.properties(PgConfig.SUPERUSER, secrets.superuserPassword());
                p.setProperty("connectTimeout", "3");
                dev.pgfly.node.tls.ClusterTls.clientTls(PgflyHome.resolve(), cluster.spec()).addTo(p);
                String url = "jdbc:postgresql://" + cluster.spec().proxyHost() + ":" + cluster.spec().proxyPort() + "/postgres";
                try (Connection c = PgLogin.connect(url, p)) {
                    return ArchiverStatus.query(c);
                }
            } catch (Exception e) {
                return null;
            }
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
            description = "Show or change the snapshot schedule, retention and store of a cluster.")
    public static final class Config implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--schedule", description = "\"daily HH:MM\" (default daily 03:00), \"hourly\" or \"off\"")
        String schedule;

        @Option(names = "--retention", description = "How long points in time stay restorable, e.g. 5d (default), 36h, 2w")
        String retention;

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = cluster(name);
            ClusterBackups backups = backups();
            BackupSettings current = backups.settings(name)
                    .orElse(new BackupSettings(backups.defaultBase().forCluster(name), null, null));
            StoreSettings newStore = store.given() ? store.settings().forCluster(name) : current.store();
            BackupSettings updated = new BackupSettings(newStore,
                    schedule != null ? schedule : current.schedule(), retention != null ? retention : current.retention());
            boolean changed = !updated.equals(backups.settings(name).orElse(null));
            if (changed) {
                if (!newStore.equals(current.store()) || backups.settings(name).isEmpty()) {
                    // Archiving moves (or starts): the new place must be reachable and not another cluster's.
                    try (BackupStore s = newStore.open()) {
                        s.list("snapshots/");
                    }
                }
                backups.setUp(cluster, updated);
            }
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put("store", updated.store().display());
            shown.put("schedule", updated.schedule());
            shown.put("retention", updated.retention());
            if (json) {
                ClusterCommand.printJson(shown);
            } else {
                Table t = new Table("SETTING", "VALUE");
                shown.forEach(t::row);
                System.out.print(t.render());
            }
            return 0;
        }
    }

    /** Where backups go: a directory or s3://bucket/prefix, and how to reach S3 (flags, else the AWS_* variables). */
    public static final class StoreOptions {
        @Option(names = "--backup-store", paramLabel = "DIR|s3://BUCKET/PREFIX",
                description = "Where backups go (default: $PGFLY_HOME/backups); the cluster's name is appended")
        String location;

        @Option(names = "--s3-endpoint", description = "S3-compatible endpoint URL (default: AWS; env AWS_ENDPOINT_URL)")
        String endpoint;

        @Option(names = "--s3-region", description = "Region (default: AWS_REGION, else us-east-1)")
        String region;

        @Option(names = "--s3-access-key", description = "Access key id (default: AWS_ACCESS_KEY_ID)")
        String accessKey;

        /**
         * Refused whatever its value: a secret on the command line is visible to every local user (ps).
         * Kept as an option so that the refusal says what to do instead (issue 18, hole 2).
         */
        @Option(names = "--s3-secret-key", hidden = true)
        String secretKey;

        @Option(names = "--s3-secret-key-file", paramLabel = "FILE", description = "Read the secret key from the first"
                + " line of FILE (not readable by other users), '-' for standard input (default: AWS_SECRET_ACCESS_KEY)")
        String secretKeyFile;

        public boolean given() {
            if (secretKey != null) {
                secretKey(SecretInput.system());
            }
            return location != null;
        }

        /**
         * The settings, with S3 credentials resolved now from flags or the environment: PostgreSQL's
         * archiver does not see this shell's environment, so they are kept in the cluster's private store file.
         */
        public StoreSettings settings() {
            if (secretKey != null) {
                // Refused even where it would not be used: the sooner the habit goes, the better.
                secretKey(SecretInput.system());
            }
            if (location == null) {
                return null;
            }
            if (!location.startsWith("s3://")) {
                if (!location.startsWith("/")) {
                    throw new IllegalArgumentException("--backup-store must be an absolute directory or s3://bucket/prefix");
                }
                return StoreSettings.local(java.nio.file.Path.of(location));
            }
            StoreSettings.parseS3(location);
            return new StoreSettings(location, or(endpoint, "AWS_ENDPOINT_URL"), or(region, "AWS_REGION"),
                    or(accessKey, "AWS_ACCESS_KEY_ID"), secretKey(SecretInput.system()));
        }

        /** The S3 secret key: from --s3-secret-key-file (or standard input), else AWS_SECRET_ACCESS_KEY. */
        String secretKey(SecretInput input) {
            if (secretKey != null) {
                throw new IllegalArgumentException("refusing --s3-secret-key: every local user can read a command line;"
                        + " set AWS_SECRET_ACCESS_KEY, or use --s3-secret-key-file FILE ('-' for standard input)");
            }
            return secretKeyFile != null ? input.fromFile(secretKeyFile, "S3 secret key")
                    : input.fromEnv("AWS_SECRET_ACCESS_KEY");
        }

        private static String or(String flag, String env) {
            return flag != null ? flag : System.getenv(env);
        }
    }

    static Instant now() {
        return Instant.now();
    }
}
