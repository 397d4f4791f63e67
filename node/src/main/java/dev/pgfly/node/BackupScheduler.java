package dev.pgfly.node;

import dev.pgfly.backup.Progress;
import dev.pgfly.backup.SnapshotCatalog;
import dev.pgfly.backup.SnapshotManifest;
import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.node.backup.BackupSettings;
import dev.pgfly.node.backup.ClusterBackups;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's snapshot schedule: once a minute, every running cluster whose schedule says a snapshot
 * is due (by default daily at 03:00, daemon's time zone) gets one, then retention is applied. One
 * thread, one snapshot at a time, so the host is never busy with several base backups at once.
 */
final class BackupScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);

    private final ClusterManager clusters;
    private final ClusterBackups backups;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("backup-schedule").daemon(true).factory());
    /** The start of each cluster's newest snapshot, so the store is listed once, not every minute. */
    private final Map<String, Optional<Instant>> newest = new ConcurrentHashMap<>();

    /** Whether this node takes a cluster's scheduled snapshots; on one host, always. */
    interface Turn extends AutoCloseable {
        boolean mine(LocalCluster cluster);

        @Override
        default void close() {
        }
    }

    private final Turn turn;

    BackupScheduler(ClusterManager clusters, PgflyHome home) {
        this(clusters, home, c -> true);
    }

    BackupScheduler(ClusterManager clusters, PgflyHome home, Turn turn) {
        this.clusters = clusters;
        this.backups = new ClusterBackups(home);
        this.turn = turn;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.MINUTES);
    }

    private void tick() {
        for (LocalCluster cluster : clusters.all()) {
            String name = cluster.spec().name();
            try {
                Optional<BackupSettings> settings = backups.settings(name);
                if (!cluster.running() || settings.isEmpty() || !turn.mine(cluster)) {
                    continue;
                }
                // A cluster without snapshots counts from when the daemon first saw it: its first scheduled
                // snapshot comes at the next slot, not a minute after creation ('pgfly backup create' is for now).
                Optional<Instant> last = newest.computeIfAbsent(name,
                        n -> newestSnapshotStart(settings.get()).or(() -> Optional.of(Instant.now())));
                if (settings.get().parsedSchedule().isDue(last, Instant.now(), ZoneId.systemDefault())) {
                    log.info("scheduled snapshot of {} ({})", name, settings.get().schedule());
                    SnapshotManifest m = backups.snapshot(cluster, clusters.view(cluster),
                            Progress.to("snapshot of " + name, log::info));
                    newest.put(name, Optional.of(m.startTime()));
                }
            } catch (Exception e) {
                log.warn("scheduled snapshot of {} failed: {}", name, e.toString());
                newest.remove(name);
            }
        }
    }

    private static Optional<Instant> newestSnapshotStart(BackupSettings settings) {
        try (BackupStore store = settings.store().open()) {
            List<SnapshotManifest> all = new SnapshotCatalog(store).list();
            return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast().startTime());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        turn.close();
    }
}
