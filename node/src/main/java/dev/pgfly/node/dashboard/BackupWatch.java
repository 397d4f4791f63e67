package dev.pgfly.node.dashboard;

import dev.pgfly.backup.ArchiverStatus;
import dev.pgfly.backup.SnapshotCatalog;
import dev.pgfly.backup.SnapshotManifest;
import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.ClusterRecords;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.backup.BackupSettings;
import dev.pgfly.node.backup.ClusterBackups;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.ClusterTls;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgLogin;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each cluster's backups as {@code pgfly backup status} reads them (the store's snapshots, the primary's
 * {@code pg_stat_archiver} through the proxy), refreshed in the background every half minute: listing a
 * store (S3 perhaps) is too slow for a one-second poll and changes far less often.
 */
final class BackupWatch {
    private final PgflyHome home;
    private final Map<String, BackupState> latest = new ConcurrentHashMap<>();

    BackupWatch(PgflyHome home) {
        this.home = home;
    }

    /**
     * A cluster's backups.
     *
     * @param configured false when the cluster has no backup settings (none of the fields below then)
     * @param archiver   the primary's archiver, null when the primary could not be reached or was not asked
     *                   (a scale-to-zero cluster)
     * @param error      why the store could not be read, else null
     */
    record BackupState(boolean configured, String store, String schedule, String retention, int snapshots,
                       String newestSnapshot, String newestSnapshotTime, ArchiverStatus archiver, boolean archivingFailing,
                       String error) {
    }

    Optional<BackupState> of(String cluster) {
        return Optional.ofNullable(latest.get(cluster));
    }

    void refresh(List<ClusterView> clusters) {
        latest.keySet().retainAll(clusters.stream().map(ClusterView::name).toList());
        for (ClusterView c : clusters) {
            try {
                latest.put(c.name(), read(c.name(), c.idleTimeoutSeconds() <= 0));
            } catch (RuntimeException e) {
                // one cluster's unreadable settings must not hide the others' backups
                latest.put(c.name(), new BackupState(true, null, null, null, 0, null, null, null, false,
                        "cannot read the backup settings: " + e.getMessage()));
            }
        }
    }

    /**
     * @param askArchiver false for a scale-to-zero cluster: a connection every half minute through its proxy
     *                    would wake it, or keep it from ever going idle
     */
    private BackupState read(String name, boolean askArchiver) {
        ClusterBackups backups = new ClusterBackups(home);
        Optional<BackupSettings> settings = backups.settings(name);
        if (settings.isEmpty()) {
            return new BackupState(false, null, null, null, 0, null, null, null, false, null);
        }
        BackupSettings s = settings.get();
        int count = 0;
        String newest = null;
        String newestTime = null;
        String error = null;
        try (BackupStore store = s.store().open()) {
            List<SnapshotManifest> snapshots = new SnapshotCatalog(store).list();
            count = snapshots.size();
            if (!snapshots.isEmpty()) {
                newest = snapshots.getLast().id();
                newestTime = snapshots.getLast().endTime().toString();
            }
        } catch (Exception e) {
            error = "cannot read the backup store: " + e.getMessage();
        }
        ArchiverStatus archiver = askArchiver ? archiver(name) : null;
        return new BackupState(true, s.store().display(), s.schedule(), s.retention(), count, newest, newestTime, archiver,
                archiver != null && archiver.failing(), error);
    }

    /** pg_stat_archiver of the primary, through the cluster's proxy; null when it cannot be reached. */
    private ArchiverStatus archiver(String name) {
        try {
            LocalCluster cluster = ClusterRecords.read(home.clusterFile(name));
            Secrets secrets = Secrets.readFrom(home.secretsDir(name));
            Properties p = PgLogin.properties(PgConfig.SUPERUSER, secrets.superuserPassword());
            p.setProperty("connectTimeout", "3");
            p.setProperty("socketTimeout", "5");
            ClusterTls.clientTls(home, cluster.spec()).addTo(p);
            String url = "jdbc:postgresql://" + cluster.spec().proxyHost() + ":" + cluster.spec().proxyPort() + "/postgres";
            try (Connection c = PgLogin.connect(url, p)) {
                return ArchiverStatus.query(c);
            }
        } catch (Exception e) {
            return null;
        }
    }
}
