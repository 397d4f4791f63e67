package dev.pgfly.node;

import dev.pgfly.backup.Progress;
import dev.pgfly.backup.RecoveryTarget;
import dev.pgfly.backup.SnapshotManifest;
import dev.pgfly.backup.store.StoreSettings;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.core.util.Names;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.api.CreateRequest;
import dev.pgfly.node.api.CreateResult;
import dev.pgfly.node.api.RestoreRequest;
import dev.pgfly.node.backup.BackupSettings;
import dev.pgfly.node.backup.ClusterBackups;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.ClusterTls;
import dev.pgfly.postgres.OsUser;
import dev.pgfly.postgres.PgBinaries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** A cluster's life: create (restores and forks included), start, stop, destroy; and every cluster brought back when the daemon starts. */
final class Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private final ClusterParts parts;
    private final ClientAccess access;
    private final ClusterBackups backups;

    private final ClusterPoolers poolers;

    Lifecycle(ClusterParts parts, ClientAccess access, ClusterBackups backups, ClusterPoolers poolers) {
        this.parts = parts;
        this.access = access;
        this.backups = backups;
        this.poolers = poolers;
    }

    CreateResult create(CreateRequest req) throws Exception {
        Names.requireClusterName(req.name());
        req.requireSaneNumbers();
        String config = req.config() == null ? "dev" : req.config();
        if (!config.equals("dev") && !config.equals("ha")) {
            throw new IllegalArgumentException("unknown config '" + config + "': use dev or ha");
        }
        int members = req.members() > 0 ? req.members() : (config.equals("ha") ? 3 : 1);
        if (members > 9) {
            throw new IllegalArgumentException("at most 9 members in local mode");
        }
        if (req.synchronous() && members < 2) {
            throw new IllegalArgumentException("--sync needs at least 2 members: with one, every write would wait forever");
        }
        String region = Names.requireRegion(req.region() == null ? "local" : req.region());
        if (req.idleTimeoutSeconds() > 0 && (!config.equals("dev") || members > 1)) {
            throw new IllegalArgumentException("--scale-to-zero is for one-member dev clusters: the members of an"
                    + " HA cluster must keep serving and streaming");
        }
        PgBinaries bin = PgBinaries.locate(req.pgBin());
        // TLS is on by default for HA clusters, whose members talk to each other and to clients over the
        // network; a dev cluster keeps plain connections unless asked.
        boolean withTls = req.tls() != null ? req.tls() : config.equals("ha");
        dev.pgfly.core.model.PoolerSpec pooler = ClusterPoolers.forCreate(req.pooler(), config, req.idleTimeoutSeconds());
        long started = System.currentTimeMillis();
        return parts.locks().locked(req.name(), () -> {
            if (parts.records().exists(req.name())) {
                throw new IllegalArgumentException("cluster '" + req.name() + "' already exists");
            }
            boolean placed = parts.allocation().placesOnNodes();
            // Backups: checked (and a fork's snapshot taken) before anything of the new cluster exists. A cluster
            // spread over nodes archives only to a store every node reaches, which the user names: a default
            // directory under this node's home would hold only what this node's members archived.
            boolean archives = !placed || req.backupStore() != null;
            BackupSettings backupSettings = archives ? newBackupSettings(req) : null;
            ClusterBackups.PlannedRestore restore = planRestore(req);
            LocalCluster allocated = parts.allocation().newCluster(req, config, members, region, bin, c -> {
                Map<String, String> settings = new LinkedHashMap<>(c.spec().settings());
                if (archives) {
                    settings.putAll(ClusterBackups.archiveSettings(c));
                }
                return c.withSpec(c.spec().withSettings(settings).withTls(withTls));
            });
            LocalCluster cluster = pooler == null ? allocated : parts.allocation().withPooler(allocated, pooler);
            try {
                Secrets secrets = Secrets.generate();
                secrets.writeTo(parts.home().secretsDir(req.name()));
                if (pooler != null) {
                    dev.pgfly.node.pooler.Pooling.ensureSecrets(parts.home().secretsDir(req.name()));
                }
                if (withTls) {
                    // A new CA for every new cluster, restores and forks included: they share no keys with their source.
                    parts.tls().createCa(req.name());
                    parts.tls().ensureMemberCertificates(cluster);
                }
                if (backupSettings != null) {
                    backups.setUp(cluster, backupSettings);
                }
                // Other nodes start their members once the secrets are in the store (NodeReconciler).
                parts.records().shareFiles(req.name());
                if (restore != null) {
                    backups.restoreInto(cluster, restore, secrets, Progress.to("restore of " + req.name(), log::info));
                }
                try (ClusterStore store = parts.stores().open(req.name())) {
                    store.deleteCluster();
                    store.putConfig(cluster.spec());
                    if (restore != null) {
                        // The first member starts from the restored data; the others clone from it, never initdb.
                        store.tryClaimInitialize(cluster.spec().members().getFirst().name());
                    }
                }
                parts.supervision().startChildren(cluster);
                parts.readiness().awaitReady(cluster, Readiness.READY_TIMEOUT_MILLIS, parts.home().failedCreateLogs(req.name()));
                // PgBouncer looks users up through its own role, made now that the primary takes writes.
                poolers.ensureRole(cluster);
                parts.stores().record(req.name(), "create", null, config + " cluster with " + members + " member(s) created");
            } catch (Exception e) {
                log.warn("create of {} failed, rolling back: {}", req.name(), e.toString());
                keepLogsOfFailedCreate(cluster);
                destroyLocked(req.name());
                throw e;
            }
            FileTrees.delete(parts.home().failedCreateLogs(req.name()));
            return new CreateResult(parts.views().view(cluster), access.url(req.name(), false, "postgres", null),
                    withTls ? access.verifyUrl(req.name(), false, "postgres", null) : null,
                    System.currentTimeMillis() - started,
                    pooler == null ? null : access.pooledUrl(req.name(), "postgres", false, withTls));
        });
    }

    private BackupSettings newBackupSettings(CreateRequest req) throws IOException {
        StoreSettings base = req.backupStore() != null ? req.backupStore() : backups.defaultBase();
        BackupSettings settings = new BackupSettings(base.forCluster(req.name()), null, null);
        backups.requireEmpty(settings.store());
        return settings;
    }

    /** The restore of {@code create --from-backup|--fork-from}, fully checked; a fork's snapshot is taken here. */
    private ClusterBackups.PlannedRestore planRestore(CreateRequest req) throws IOException {
        RestoreRequest r = req.restore();
        if (r == null) {
            return null;
        }
        Names.requireClusterName(r.source());
        RecoveryTarget target = RecoveryTarget.parse(r.targetTime(), r.targetLsn());
        if (target instanceof RecoveryTarget.AtTime at && at.time().isAfter(java.time.Instant.now())) {
            throw new IllegalArgumentException("--target-time " + at.time() + " is in the future: nothing is archived"
                    + " after now");
        }
        if (r.fork()) {
            LocalCluster source = parts.records().load(r.source());
            if (!source.running()) {
                throw new IllegalStateException("cluster '" + r.source() + "' is stopped: a fork copies a running cluster");
            }
            SnapshotManifest snapshot = backups.snapshot(source, parts.views().view(source),
                    Progress.to("fork snapshot of " + r.source(), log::info));
            return backups.planRestore(r.source(), backups.requireSettings(r.source()).store(), Optional.of(snapshot.id()),
                    new RecoveryTarget.SnapshotEnd());
        }
        StoreSettings sourceStore = backups.storeOf(r.source(), req.backupStore());
        if (target.readsArchive() && parts.records().exists(r.source())) {
            LocalCluster source = parts.records().load(r.source());
            if (source.running()) {
                // A target a moment ago lies in the segment the source is still writing.
                try {
                    ArchiveCatchUp.awaitArchived(parts.home(), source, parts.views().view(source), sourceStore, log::info);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while the archive of '" + r.source() + "' caught up", e);
                }
            }
        }
        if (!parts.records().exists(r.source())) {
            try (var store = sourceStore.open()) {
                if (store.list("snapshots/").isEmpty()) {
                    throw new NoSuchElementException404("no cluster named '" + r.source() + "' and no backups of one in "
                            + store.describe());
                }
            }
        }
        return backups.planRestore(r.source(), sourceStore, Optional.ofNullable(r.snapshotId()), target);
    }

    void startCluster(String name) throws Exception {
        parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name).withRunning(true);
            parts.records().save(cluster);
            try (ClusterStore store = parts.stores().open(name)) {
                if (store.config().isEmpty()) {
                    store.putConfig(cluster.spec());
                }
            }
            parts.supervision().startChildren(cluster);
            parts.readiness().awaitReady(cluster, Readiness.READY_TIMEOUT_MILLIS, parts.home().clusterDir(name));
            parts.stores().record(name, "start", null, "cluster started");
            return null;
        });
    }

    void stopCluster(String name) throws Exception {
        parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name);
            parts.records().save(cluster.withRunning(false));
            parts.supervision().stopChildren(name);
            parts.stores().record(name, "stop", null, "cluster stopped");
            return null;
        });
    }

    void destroy(String name) throws Exception {
        parts.locks().locked(name, () -> {
            parts.records().load(name);
            destroyLocked(name);
            return null;
        });
    }

    private void destroyLocked(String name) throws IOException {
        Optional<LocalCluster> cluster = parts.records().tryLoad(name);
        // The record goes first: every other node's reconciler then stops its members and deletes their data.
        parts.records().delete(name);
        parts.supervision().stopChildren(name);
        try (ClusterStore store = parts.stores().open(name)) {
            store.deleteCluster();
        } catch (RuntimeException e) {
            log.warn("could not delete the store nodes of {}: {}", name, e.toString());
        }
        if (cluster.isPresent()) {
            deleteLocalData(cluster.get());
        }
        try {
            backups.forget(name);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete the backups of {}: {}", name, e.toString());
        }
        FileTrees.delete(parts.home().clusterDir(name));
    }

    /**
     * The data of the members this node ran. On one host that is every member's; in an installation each
     * node deletes its own members' directories (when the record disappears, see NodeReconciler).
     */
    void deleteLocalData(LocalCluster cluster) throws IOException {
        Path dataRoot = Path.of(cluster.dataRoot());
        if (cluster.spansNodes()) {
            for (var m : cluster.spec().members()) {
                if (parts.thisNode().runs(cluster, m.name())) {
                    Path dir = dataRoot.resolve(m.name());
                    endLeftoverPostgres(dir.getParent(), m.name());
                    FileTrees.delete(dir);
                }
            }
            // The cluster's directory (its archiver files beside the members) goes with this host's last member,
            // and the installation's directory with its last cluster.
            deleteIfNothingIn(dataRoot, dataRoot.getParent());
            deleteIfNothingIn(dataRoot.getParent().getParent(), dataRoot.getParent().getParent());
            return;
        }
        endLeftoverPostgres(dataRoot, null);
        FileTrees.delete(dataRoot);
        if (dataRoot.startsWith("/var/lib/pgfly")) {
            FileTrees.delete(dataRoot.getParent());
        }
    }

    private static void deleteIfNothingIn(Path probe, Path delete) {
        try (Stream<Path> left = Files.isDirectory(probe) ? Files.list(probe) : Stream.empty()) {
            if (left.findAny().isEmpty()) {
                FileTrees.delete(delete);
            }
        } catch (IOException e) {
            log.warn("could not check {}: {}", probe, e.toString());
        }
    }

    /** A PostgreSQL whose agent died before stopping it: immediate shutdown, by the pid in its own pid file. */
    private static void endLeftoverPostgres(Path dataRoot, String only) {
        if (!Files.isDirectory(dataRoot)) {
            return;
        }
        try (Stream<Path> members = Files.list(dataRoot)) {
            for (Path member : members.toList()) {
                if (only != null && !member.getFileName().toString().equals(only)) {
                    continue;
                }
                // PostgreSQL's user writes that file: read without following a link, and the pid killed
                // only if it is a postgres run by that user (never a process whose number was planted).
                Optional<String> pidFile = dev.pgfly.postgres.OwnedFiles.readRegular(member.resolve("data/postmaster.pid"));
                if (pidFile.isPresent() && !pidFile.get().isBlank()) {
                    long pid = Long.parseLong(pidFile.get().lines().findFirst().orElse("").strip());
                    OsUser pgUser = OsUser.forPostgres();
                    ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                            .filter(h -> !pgUser.dropsPrivileges() || h.info().user().map(pgUser.name()::equals).orElse(false))
                            .ifPresent(h -> {
                                h.destroyForcibly();
                                h.onExit().join();
                            });
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not check for leftover PostgreSQL processes in {}: {}", dataRoot, e.toString());
        }
    }

    /** When the daemon starts: the children of every cluster that should be running. */
    void restoreAll() {
        for (LocalCluster c : parts.records().all()) {
            if (c.running()) {
                try {
                    parts.locks().locked(c.spec().name(), () -> {
                        try (ClusterStore store = parts.stores().open(c.spec().name())) {
                            if (store.config().isEmpty()) {
                                store.putConfig(c.spec());
                            }
                        }
                        parts.supervision().startChildren(c);
                        return null;
                    });
                } catch (Exception e) {
                    log.error("could not restart cluster {}: {}", c.spec().name(), e.toString());
                }
            }
        }
    }

    /** Before a failed create is rolled back: its logs, which the rollback deletes, are kept. */
    private void keepLogsOfFailedCreate(LocalCluster cluster) {
        String name = cluster.spec().name();
        Map<String, Path> memberDirs = new LinkedHashMap<>();
        cluster.spec().members().forEach(m -> memberDirs.put(m.name(), Supervision.memberDir(cluster, m.name())));
        try {
            int kept = KeptLogs.keepFailedCreate(parts.home().clusterDir(name).resolve("logs"), memberDirs, parts.home().failedCreateLogs(name));
            log.info("kept {} log file(s) of the failed create of {} in {}", kept, name, parts.home().failedCreateLogs(name));
        } catch (IOException | RuntimeException e) {
            log.warn("could not keep the logs of the failed create of {}: {}", name, e.toString());
        }
    }
}
