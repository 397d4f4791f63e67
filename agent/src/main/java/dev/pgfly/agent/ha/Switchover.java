package dev.pgfly.agent.ha;

import dev.pgfly.agent.local.LocalPostgres;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.ha.FailoverPlan;
import dev.pgfly.core.ha.FailoverPolicy;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.Lsn;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.postgres.PgInstance;
import dev.pgfly.postgres.ShutdownMode;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * The primary's side of a planned switchover (S5): stop writes with a clean shutdown,
 * whose checkpoint streams to the replicas, wait until the candidate has it, then hand the leader
 * node over. The candidate promotes without losing a transaction, and this member follows it
 * without a rewind. If the candidate does not catch up in time, this member stays primary.
 */
final class Switchover {
    private static final Duration CATCH_UP = Duration.ofSeconds(30);
    /** How long a replica that is reconnecting just now is given to stream again. */
    private static final Duration FIT_WAIT = Duration.ofSeconds(10);

    private final ClusterStore store;
    private final LocalPostgres local;
    private final PgInstance pg;
    private final LeaseKeeper lease;
    private final PeerClient peers;
    private final BiConsumer<String, String> events;

    Switchover(ClusterStore store, LocalPostgres local, LeaseKeeper lease, PeerClient peers,
               BiConsumer<String, String> events) {
        this.store = store;
        this.local = local;
        this.pg = local.instance();
        this.lease = lease;
        this.peers = peers;
        this.events = events;
    }

    /**
     * @param leader         the leader node this member holds
     * @param leaderTimeline this primary's timeline: a fit target streams on it
     */
    void handOver(ClusterSpec spec, MemberSpec me, LeaderRecord leader, int leaderTimeline, SwitchoverRequest request)
            throws IOException {
        Fitness fitness = new Fitness(spec, leaderTimeline);
        Optional<String> problem = Optional.empty();
        MemberSpec target = null;
        if (request.to() != null) {
            target = spec.member(request.to()).orElse(null);
            if (target == null) {
                problem = Optional.of(request.to() + " is not a member");
            } else if (target.name().equals(me.name())) {
                problem = Optional.of(target.name() + " is already the primary");
            }
        } else {
            Map<String, String> unfit = new java.util.TreeMap<>();
            target = awaitBestReplica(spec, me, fitness, unfit).orElse(null);
            if (target == null) {
                problem = Optional.of("no replica is fit to take over: " + String.join("; ", unfit.values()));
            }
        }
        if (problem.isEmpty()) {
            problem = awaitFit(fitness, target);
        }
        if (problem.isPresent()) {
            store.clearSwitchover();
            events.accept("switchover-refused", problem.get());
            return;
        }
        // A checkpoint while writes still flow leaves little for the shutdown checkpoint, which is
        // written while nobody can write (as Patroni does before a switchover).
        local.checkpointOn(me.host(), me.pgPort());
        long started = System.currentTimeMillis();
        // Not ready: the proxy holds new clients instead of sending them to a server that is shutting
        // down, and replicas that stop streaming now do not take it for a diverged history.
        store.updateLeader(leader.asNotReady());
        stopForHandover();
        lease.stopLeading();
        lease.clear();
        Map<String, String> control = pg.data().controlData();
        OptionalLong clean = cleanShutdownCheckpoint(control);
        if (clean.isEmpty()) {
            stayPrimary("PostgreSQL did not stop cleanly (" + control.getOrDefault("Database cluster state", "no control data")
                    + "); stayed primary");
            return;
        }
        long checkpoint = clean.getAsLong();
        if (!waitUntilReplayed(target, checkpoint)) {
            stayPrimary(target.name() + " did not receive the shutdown checkpoint " + Lsn.format(checkpoint) + " within "
                    + CATCH_UP.toSeconds() + " s; stayed primary");
            return;
        }
        store.requestSwitchover(new SwitchoverRequest(me.name(), target.name(), System.currentTimeMillis()));
        store.releaseLeadership(me.name());
        events.accept("switchover-handover", "stopped cleanly at " + Lsn.format(checkpoint) + "; "
                + target.name() + " has it; handing over after " + (System.currentTimeMillis() - started) + " ms");
    }

    /**
     * A fast stop, cut short once its shutdown checkpoint is written: what may still hold the
     * postmaster then (the archiver retrying a push that fails, a WAL sender waiting for a slow
     * standby) has nothing the handover needs, and whether the target received the checkpoint is
     * checked next anyway. The lease is kept meanwhile so that the watchdog cannot stop PostgreSQL
     * before its shutdown checkpoint.
     */
    private void stopForHandover() throws IOException {
        try {
            pg.stop(ShutdownMode.FAST, Duration.ofSeconds(1));
        } catch (IOException stillStopping) {
            // pg_ctl gave up waiting; the shutdown goes on
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (pg.isRunning() && System.currentTimeMillis() < deadline) {
            if (cleanShutdownCheckpoint(pg.data().controlData()).isPresent()) {
                events.accept("switchover-stop", "shutdown checkpoint written; ending what still holds the postmaster");
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (pg.isRunning()) {
            pg.stop(ShutdownMode.IMMEDIATE, Duration.ofSeconds(30));
        }
    }

    /**
     * The handover failed: PostgreSQL, stopped for it, is started again as the primary, but only while
     * this member still holds the leader node (S1). The handover can take long enough for the session to
     * be lost and another member elected meanwhile; starting writable then would make a second primary
     * until the next cycle demoted it. Without leadership PostgreSQL stays stopped, cleanly, and the next
     * cycle rejoins it to whoever leads. A store that cannot be read throws here: stopped too.
     */
    private void stayPrimary(String why) throws IOException {
        Optional<LeaderRecord> current = store.leader();
        if (!mayResumeAsPrimary(current, local.member())) {
            store.clearSwitchover();
            events.accept("switchover-aborted", why + "; leadership was lost meanwhile ("
                    + current.map(l -> l.member() + " leads").orElse("no leader") + "): PostgreSQL stays stopped"
                    + " and rejoins as a replica");
            return;
        }
        lease.startLeading();
        pg.start(Duration.ofSeconds(60));
        local.sql().reset();
        current.ifPresent(l -> store.updateLeader(l.asReady()));
        store.clearSwitchover();
        events.accept("switchover-aborted", why);
    }

    /** Whether a primary whose handover failed may start writable again: only while it holds the leader node. */
    static boolean mayResumeAsPrimary(Optional<LeaderRecord> leader, String me) {
        return leader.map(l -> l.member().equals(me)).orElse(false);
    }

    /**
     * The shutdown checkpoint's position when PostgreSQL stopped cleanly; empty otherwise: after an
     * immediate stop or a crash, WAL may follow the last checkpoint, and the target might lack it.
     */
    static OptionalLong cleanShutdownCheckpoint(Map<String, String> controlData) {
        String location = controlData.get("Latest checkpoint location");
        if (!"shut down".equals(controlData.get("Database cluster state")) || location == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Lsn.parse(location));
    }

    /**
     * Whether a member may take over: {@link FailoverPolicy#switchoverIneligibility}, the placement rule
     * plus the one healthy-replica rule, against this cluster's maximum lag and the primary's timeline.
     */
    private record Fitness(ClusterSpec spec, int leaderTimeline) {
        Optional<String> problem(MemberSpec target, MemberStatus status) {
            return FailoverPolicy.switchoverIneligibility(target, status, spec.primaryRegion(), spec.maxLagBytes(),
                    leaderTimeline);
        }
    }

    /** A replica that reconnects to the primary just now is given a few seconds to stream again. */
    private Optional<String> awaitFit(Fitness fitness, MemberSpec target) {
        AtomicReference<Optional<String>> problem = new AtomicReference<>();
        poll(FIT_WAIT, 200, () -> {
            problem.set(fitness.problem(target, peers.status(target).orElse(null)));
            return problem.get().isEmpty();
        });
        return problem.get();
    }

    /**
     * The best replica, given the same few seconds as a named target to stream again (a switchover
     * asked right after a fault healed finds replicas still reconnecting); {@code unfit} gets why
     * each member is not fit.
     */
    private Optional<MemberSpec> awaitBestReplica(ClusterSpec spec, MemberSpec me, Fitness fitness,
                                                  Map<String, String> unfit) {
        AtomicReference<Optional<MemberSpec>> best = new AtomicReference<>();
        poll(FIT_WAIT, 200, () -> {
            unfit.clear();
            best.set(bestReplica(spec, me, fitness, unfit));
            return best.get().isPresent();
        });
        return best.get();
    }

    /**
     * Among fit replicas, the one a failover would prefer: most advanced, then priority, then name. The
     * same pure {@link FailoverPlan} {@code pgfly failover --dry-run} shows, so the two never disagree.
     */
    private Optional<MemberSpec> bestReplica(ClusterSpec spec, MemberSpec me, Fitness fitness, Map<String, String> unfit) {
        FailoverPlan plan = FailoverPlan.explain(spec, me.name(), fitness.leaderTimeline(),
                name -> name.equals(me.name()) ? null : spec.member(name).flatMap(peers::status).orElse(null), null);
        plan.members().stream().filter(v -> !v.fit() && !v.name().equals(me.name()))
                .forEach(v -> unfit.put(v.name(), v.reason()));
        return plan.candidateName().flatMap(spec::member);
    }

    private boolean waitUntilReplayed(MemberSpec target, long checkpoint) {
        return poll(CATCH_UP, 20, () -> peers.status(target)
                .map(s -> Math.max(s.receivedLsn(), s.replayedLsn()) > checkpoint).orElse(false));
    }

    /**
     * Asks {@code done} every {@code everyMillis} until it says yes or {@code wait} is over (it is
     * always asked at least once); whether it said yes. An interrupt ends the wait with no.
     */
    private static boolean poll(Duration wait, long everyMillis, BooleanSupplier done) {
        long deadline = System.currentTimeMillis() + wait.toMillis();
        do {
            if (done.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(everyMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        } while (System.currentTimeMillis() < deadline);
        return false;
    }
}
