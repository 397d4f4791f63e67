package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.ScheduledOperation;
import dev.pgfly.core.model.ScheduledOperation.Kind;
import dev.pgfly.core.util.ScheduleTimes;
import dev.pgfly.node.home.LocalCluster;

import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code pgfly failover --at}, {@code pgfly restart --at} and their {@code --cancel}, as the daemon serves them:
 * the request is checked now (the cluster, the member named) and written to the store, where any node's
 * {@link ScheduledRunner} finds it when it falls due, so it runs even if this node is gone by then.
 */
final class ClusterSchedule {
    /** A moment a little in the past is the CLI's and the node's clocks disagreeing: it runs at once. */
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(1);

    private final ClusterRecords records;
    private final ClusterStores stores;
    private final ThisNode thisNode;

    ClusterSchedule(ClusterRecords records, ClusterStores stores, ThisNode thisNode) {
        this.records = records;
        this.stores = stores;
        this.thisNode = thisNode;
    }

    /** @param atMillis the moment, as the CLI computed it from the user's {@code --at} (ms since the epoch) */
    ScheduledOperation switchover(String name, String atMillis, String to) {
        LocalCluster cluster = records.load(name);
        if (cluster.spec().members().size() < 2) {
            throw new IllegalStateException("cluster '" + name + "' has one member: add one with 'pgfly member add " + name + "'");
        }
        if (to != null) {
            cluster.spec().member(to).orElseThrow(() ->
                    new IllegalArgumentException("cluster '" + name + "' has no member '" + to + "'"));
        }
        return put(name, new ScheduledOperation(Kind.SWITCHOVER, at(atMillis), to, null, false, thisNode.name(),
                System.currentTimeMillis()));
    }

    ScheduledOperation restart(String name, String atMillis, boolean force, String member) {
        LocalCluster cluster = records.load(name);
        if (member != null) {
            cluster.spec().member(member).orElseThrow(() ->
                    new IllegalArgumentException("cluster '" + name + "' has no member '" + member + "'"));
        }
        return put(name, new ScheduledOperation(Kind.RESTART, at(atMillis), null, member, force, thisNode.name(),
                System.currentTimeMillis()));
    }

    /** @return what was cancelled */
    ScheduledOperation cancel(String name, String kind) {
        records.load(name);
        Kind k = Kind.of(kind);
        try (ClusterStore store = stores.open(name)) {
            ScheduledOperation op = store.scheduled(k).orElseThrow(() ->
                    new IllegalStateException("cluster '" + name + "' has no scheduled " + k.label()));
            if (!store.cancelScheduled(k)) {
                throw new IllegalStateException("the scheduled " + k.label() + " of '" + name + "' has just started");
            }
            store.recordEvent(new Event(System.currentTimeMillis(), "scheduled-cancelled", op.member(),
                    store.currentTerm(), "cancelled: " + op.describe()));
            return op;
        }
    }

    List<ScheduledOperation> list(String name) {
        records.load(name);
        try (ClusterStore store = stores.open(name)) {
            return pending(store);
        }
    }

    /** The cluster's scheduled operations, soonest first. */
    static List<ScheduledOperation> pending(ClusterStore store) {
        return Arrays.stream(Kind.values()).map(store::scheduled).flatMap(Optional::stream)
                .sorted(Comparator.comparingLong(ScheduledOperation::at)).toList();
    }

    private ScheduledOperation put(String name, ScheduledOperation op) {
        try (ClusterStore store = stores.open(name)) {
            Optional<ScheduledOperation> replaced = store.scheduled(op.kind());
            store.putScheduled(op);
            store.recordEvent(new Event(System.currentTimeMillis(), "scheduled", op.member(), store.currentTerm(),
                    "scheduled on node " + op.requestedOn() + ": " + op.describe()
                            + replaced.filter(r -> !Objects.equals(r, op)).map(r -> " (replaces: " + r.describe() + ")").orElse("")));
        }
        return op;
    }

    private static long at(String millis) {
        long at;
        try {
            at = Long.parseLong(millis == null ? "" : millis);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("at must be a moment in ms since the epoch, not '" + millis + "'");
        }
        long now = System.currentTimeMillis();
        if (at < now - CLOCK_SLACK.toMillis()) {
            throw new IllegalArgumentException("at is in the past: leave --at out to act now");
        }
        if (at > now + ScheduleTimes.FURTHEST.plus(CLOCK_SLACK).toMillis()) {
            throw new IllegalArgumentException("at is more than " + ScheduleTimes.FURTHEST.toDays() + " days ahead");
        }
        return at;
    }
}
