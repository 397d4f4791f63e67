package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.node.home.LocalCluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * In an installation of several nodes, makes this node run what the store says is placed on it: the agents
 * of its members and the cluster's proxy, started when missing (after their secrets are fetched from the
 * store), stopped when their member was removed or moved or the cluster stopped, and their data deleted
 * when the cluster was destroyed. It runs when a cluster record changes and every few seconds, so a node
 * that was down catches up when it comes back. No node is special: whichever node ran an operation only
 * changed the record, and each node acts on its own part.
 */
final class NodeReconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeReconciler.class);
    private static final long PERIOD_MILLIS = 3_000;

    private final ClusterParts parts;
    private final dev.pgfly.node.backup.ClusterBackups backups;
    private final Function<LocalCluster, Void> deleteLocalData;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reconciler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    private final java.util.function.BooleanSupplier storeIsOurs;
    /** How many passes in a row found a local cluster missing from the store (see {@link #reconcile}). */
    private final Map<String, Integer> missing = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param storeIsOurs whether the store holds this installation (its id): a node pointed at an empty or
     *                    foreign store must not read "no clusters" as "every cluster was destroyed"
     */
    NodeReconciler(ClusterParts parts, dev.pgfly.node.backup.ClusterBackups backups, Function<LocalCluster, Void> deleteLocalData,
                   java.util.function.BooleanSupplier storeIsOurs) {
        this.parts = parts;
        this.backups = backups;
        this.deleteLocalData = deleteLocalData;
        this.storeIsOurs = storeIsOurs;
    }

    void start() {
        executor.scheduleWithFixedDelay(this::reconcileQuietly, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A record changed: reconcile soon (wakes coalesce, so a burst of changes costs one pass). */
    void wake() {
        if (pending.compareAndSet(false, true)) {
            executor.execute(() -> {
                pending.set(false);
                reconcileQuietly();
            });
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            log.warn("reconciling this node failed (will retry): {}", e.getMessage());
        }
    }

    void reconcile() {
        List<LocalCluster> desired = parts.records().all();
        Map<String, LocalCluster> byName = desired.stream().collect(Collectors.toMap(c -> c.spec().name(), c -> c));
        for (LocalCluster c : desired) {
            if (!c.spansNodes()) {
                continue; // every record of an installation is placed; one that is not is not ours to run
            }
            try {
                parts.locks().lockedIfFree(c.spec().name(), () -> {
                    reconcileCluster(c);
                    return null;
                });
            } catch (Exception e) {
                log.warn("{}: could not reconcile: {}", c.spec().name(), e.toString());
            }
        }
        // Data is deleted only on evidence: the store is this installation's, and two passes in a row (seconds
        // apart) found the record gone. A record missing once may be a read that raced a create.
        Set<String> gone = localClustersWithout(byName.keySet());
        missing.keySet().retainAll(gone);
        if (!gone.isEmpty() && !storeIsOurs.getAsBoolean()) {
            log.warn("the store does not hold this installation's id: not treating {} as destroyed", gone);
            return;
        }
        for (String name : gone) {
            if (missing.merge(name, 1, Integer::sum) < 2) {
                continue;
            }
            String gone1 = name;
            try {
                parts.locks().lockedIfFree(gone1, () -> {
                    forget(gone1);
                    missing.remove(gone1);
                    return null;
                });
            } catch (Exception e) {
                log.warn("{}: could not clean up after its destroy: {}", gone1, e.toString());
            }
        }
    }

    private void reconcileCluster(LocalCluster c) throws IOException {
        String name = c.spec().name();
        boolean runsSomething = parts.thisNode().runsProxyOf(c);
        Set<String> running = parts.supervision().running(name);
        // A create still under way on another node publishes the store's config before any agent may start.
        boolean published = c.running() && configPublished(name);
        // Every node keeps every running cluster's shared files: whichever node a command or the snapshot
        // schedule runs on has the secrets and backup settings it needs.
        if (published) {
            parts.records().fetchFiles(name);
        }
        if (!c.running() || !runsSomething) {
            if (!running.isEmpty()) {
                log.info("{}: {} here", name, c.running() ? "no member is placed on this node any more; stopping its children"
                        : "the cluster is stopped; stopping its children");
                parts.supervision().stopChildren(name);
            }
            if (c.running() && !runsSomething) {
                parts.records().saveLocalCopy(c);
            }
            return;
        }
        if (!published) {
            return;
        }
        if (!Files.exists(parts.home().secretsDir(name).resolve("superuser.password"))) {
            return; // secrets not shared yet
        }
        parts.records().saveLocalCopy(c);
        backups.prepareArchiving(c);
        for (String child : running) {
            boolean member = Supervision.isMember(child);
            if (member && !parts.thisNode().runs(c, child)) {
                log.info("{}: member {} is no longer placed on this node; stopping it", name, child);
                parts.supervision().stopChild(name, child, 90);
                if (c.spec().member(child).isEmpty()) {
                    // Removed from the cluster (not moved): its data goes, once its agent has stopped.
                    FileTrees.delete(Supervision.memberDir(c, child));
                }
            }
        }
        parts.supervision().startChildren(c);
    }

    private boolean configPublished(String name) {
        try (ClusterStore store = parts.stores().open(name)) {
            return store.config().isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The cluster was destroyed (its record is gone): its children stop, its data and local files go. */
    private void forget(String name) throws IOException {
        Optional<LocalCluster> local = readLocalCopy(name);
        log.info("{}: destroyed; stopping its children here and deleting this node's data of it", name);
        parts.supervision().stopChildren(name);
        local.ifPresent(deleteLocalData::apply);
        FileTrees.delete(parts.home().clusterDir(name));
    }

    private Optional<LocalCluster> readLocalCopy(String name) {
        try {
            Path file = parts.home().clusterFile(name);
            return Files.exists(file) ? Optional.of(ClusterRecords.read(file)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Clusters this node has children or a local copy of, that the store no longer has. */
    private Set<String> localClustersWithout(Set<String> inStore) {
        Set<String> local = new HashSet<>(parts.supervision().clusters());
        try {
            // A one-host record (no placement) is a cluster awaiting adoption (HomeAdoption), never a destroyed one.
            parts.home().recordedClusters().stream().filter(n -> !HomeAdoption.awaitsAdoption(readLocalCopy(n)))
                    .forEach(local::add);
        } catch (IOException e) {
            log.debug("cannot list {}: {}", parts.home().clustersDir(), e.toString());
        }
        local.removeAll(inStore);
        return local;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
