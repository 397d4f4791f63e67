package dev.pgfly.proxy;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.model.WakeAnswer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The proxy's view of the cluster, refreshed from the store on every change (and on a timer as a
 * safety net). Accepting a client never waits on the store: it reads this table, or waits on its
 * condition while no primary exists.
 */
final class RouteTable {
    private static final Logger log = LoggerFactory.getLogger(RouteTable.class);

    private final ClusterStore store;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile Route primary;
    /** The leader node, ready or not: a scaled-to-zero leader keeps its term while it pauses. */
    private volatile Route leaderNode;
    private volatile List<MemberStatus> members = List.of();
    private volatile WakeAnswer wakeAnswer;
    private final Runnable onPrimaryChange;

    RouteTable(ClusterStore store, Runnable onPrimaryChange) {
        this.store = store;
        this.onPrimaryChange = onPrimaryChange;
    }

    /** Reads the store; only a ready leader is a route (its PostgreSQL accepts writes). */
    void refresh() {
        Route next;
        List<MemberStatus> statuses;
        try {
            Optional<LeaderRecord> node = store.leader();
            leaderNode = node.map(l -> new Route(l.member(), l.host(), l.pgPort(), l.term())).orElse(null);
            next = node.map(LeaderRecord::ready).orElse(false) ? leaderNode : null;
            statuses = store.members();
            wakeAnswer = store.wakeAnswer().orElse(null);
        } catch (RuntimeException e) {
            // The store is unreachable: keep routing as before; the agents fence a primary that lost it.
            log.debug("route refresh failed: {}", e.toString());
            return;
        }
        members = statuses;
        Route previous = primary;
        if (!Objects.equals(previous, next)) {
            lock.lock();
            try {
                primary = next;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            log.info("primary route: {} -> {}", describe(previous), describe(next));
            onPrimaryChange.run();
        }
    }

    private static String describe(Route r) {
        return r == null ? "none" : r.member() + " (" + r.host() + ":" + r.port() + ", term " + r.term() + ")";
    }

    Route primary() {
        return primary;
    }

    /**
     * Whether a connection opened to {@code route} may stay open: its member still holds the leader
     * node of the same term. A leader that merely paused (not ready while scaling to zero) keeps the
     * sessions it has; any other change of leadership ends them (S3).
     */
    boolean stillLeads(Route route) {
        Route leader = leaderNode;
        return leader != null && leader.term() == route.term() && leader.member().equals(route.member());
    }

    /**
     * The primary, waiting up to {@code timeoutMillis} for one to exist; null on timeout, or as soon as
     * {@code giveUp} says waiting is pointless (a wake-up that failed).
     */
    Route awaitPrimary(long timeoutMillis, Runnable whileWaiting, BooleanSupplier giveUp) throws InterruptedException {
        Route r = primary;
        if (r != null) {
            return r;
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        lock.lock();
        try {
            while ((r = primary) == null) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0 || giveUp.getAsBoolean()) {
                    return null;
                }
                whileWaiting.run();
                changed.await(Math.min(left, 200), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            return r;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Why a client that arrived at {@code since} cannot be served: a wake request written after it
     * arrived (requests carry this proxy's clock) was answered with a failure.
     */
    Optional<String> wakeFailure(long since) {
        WakeAnswer a = wakeAnswer;
        return a != null && !a.started() && a.request() >= since ? Optional.of(a.reason()) : Optional.empty();
    }

    /**
     * A healthy replica (streaming, running, within the lag bound) chosen by {@code balancer}: the
     * proxy's region first, spread over that region's replicas (see {@link ReplicaChoice}). Empty when
     * none qualifies (the caller falls back to the primary). A route returned here is counted by the
     * balancer until released.
     */
    Optional<Route> replica(String region, long maxLagBytes, ReplicaBalancer balancer) {
        long term = Optional.ofNullable(primary).map(Route::term).orElse(0L);
        List<MemberStatus> healthy = members.stream().filter(m -> isHealthyReplica(m, maxLagBytes)).toList();
        return balancer.acquire(healthy, region).map(m -> new Route(m.name(), m.host(), m.pgPort(), term));
    }

    boolean isHealthyReplica(String member, long maxLagBytes) {
        return members.stream().anyMatch(m -> m.name().equals(member) && isHealthyReplica(m, maxLagBytes));
    }

    private static boolean isHealthyReplica(MemberStatus m, long maxLagBytes) {
        return m.isHealthyReplica(maxLagBytes);
    }
}
