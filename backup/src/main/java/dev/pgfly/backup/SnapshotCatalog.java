package dev.pgfly.backup;

import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.backup.store.StoredObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The snapshots in a store: listing (complete ones only), lookup, deletion and retention. */
public final class SnapshotCatalog {
    private static final Logger log = LoggerFactory.getLogger(SnapshotCatalog.class);

    private final BackupStore store;

    public SnapshotCatalog(BackupStore store) {
        this.store = store;
    }

    public BackupStore store() {
        return store;
    }

    /** Complete snapshots (those with a readable manifest), oldest first. */
    public List<SnapshotManifest> list() throws IOException {
        List<SnapshotManifest> snapshots = new ArrayList<>();
        for (StoredObject o : store.list("snapshots/")) {
            if (!o.key().endsWith("/manifest.json")) {
                continue;
            }
            try {
                snapshots.add(SnapshotManifest.fromJson(store.read(o.key())));
            } catch (IOException | RuntimeException e) {
                log.warn("skipping unreadable snapshot manifest {}: {}", o.key(), e.getMessage());
            }
        }
        snapshots.sort(Comparator.comparing(SnapshotManifest::endTime).thenComparing(SnapshotManifest::id));
        return snapshots;
    }

    public SnapshotManifest get(String id) throws IOException {
        if (!SnapshotManifest.isValidId(id)) {
            throw new IllegalArgumentException("bad snapshot id '" + id + "': ids look like 20250102T030000Z");
        }
        try {
            return SnapshotManifest.fromJson(store.read(SnapshotManifest.key(id)));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no snapshot '" + id + "' in " + store.describe());
        }
    }

    /** Deletes a snapshot: its manifest first, so an interrupted delete never leaves a "complete" snapshot with files missing. */
    public void delete(String id) throws IOException {
        // The id becomes part of object keys and, in a local store, of paths: refuse anything else than
        // an id (a "../" would reach outside the snapshot's prefix), as get() does.
        if (!SnapshotManifest.isValidId(id)) {
            throw new IllegalArgumentException("bad snapshot id '" + id + "': ids look like 20250102T030000Z");
        }
        store.delete(SnapshotManifest.key(id));
        for (StoredObject o : store.list(SnapshotManifest.prefix(id))) {
            store.delete(o.key());
        }
    }

    /** Result of applying retention. */
    public record Pruned(List<String> deletedSnapshots, int deletedWalFiles) {
    }

    public Pruned applyRetention(Duration window, Instant now) throws IOException {
        Retention.Plan plan = Retention.plan(list(), now, window);
        for (String id : plan.delete()) {
            log.info("retention: deleting snapshot {}", id);
            delete(id);
        }
        int wal = plan.firstWalSegmentToKeep().isPresent()
                ? new WalArchive(store).prune(plan.firstWalSegmentToKeep().getAsLong()) : 0;
        return new Pruned(plan.delete(), wal);
    }
}
