package dev.pgfly.agent.ha;

import dev.pgfly.core.ha.ClusterSnapshot;
import dev.pgfly.core.ha.CycleOutcome;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.core.model.WakeAnswer;
import dev.pgfly.postgres.PgProbe;
import dev.pgfly.postgres.ShutdownMode;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * This member holds the leader node: keep PostgreSQL a writable primary (promoting a standby that was
 * just elected), its slots (S6) and synchronous standbys, hand over when a switchover asks (S5), and stop
 * or wake a scale-to-zero primary. Leadership is proven through the lease before anything else (S1).
 */
final class Leading {
    private final HaContext ctx;
    private final Bootstrapping bootstrapping;
    private final ScaleToZero scaleToZero = new ScaleToZero();

    Leading(HaContext ctx, Bootstrapping bootstrapping) {
        this.ctx = ctx;
        this.bootstrapping = bootstrapping;
    }

    /**
     * @param cluster this cycle's snapshot
     * @param leader  the leader node as this member holds it: the snapshot's, or the one an election just
     *                acquired (read again after that write)
     */
    CycleOutcome lead(ClusterSnapshot cluster, MemberSpec me, LeaderRecord leader) throws Exception {
        ClusterSpec spec = cluster.spec();
        ctx.term = leader.term();
        ctx.upstream = null;
        if (!ctx.lease.isLeading() && !ctx.lease.startLeading()) {
            return CycleOutcome.of(MemberState.LEADERSHIP_UNPROVEN, "cannot prove leadership to the store");
        }
        if (scaleToZero.isIdle()) {
            // Stays idle with what it published last; a failed wake-up is published once, right after the
            // attempt, for the proxy to answer the waiting clients with: republished, it would refuse the
            // next client before its own wake-up was tried.
            CycleOutcome idle = ctx.state() == MemberState.WAKE_FAILED
                    ? CycleOutcome.of(MemberState.IDLE, "the last wake-up failed (" + ctx.detail() + ")")
                    : ctx.published();
            Optional<CycleOutcome> stillIdle = wakeIfAsked(cluster, me, idle);
            if (stillIdle.isPresent()) {
                return stillIdle.get();
            }
        }
        if (!ctx.pg.isRunning()) {
            ctx.progress(MemberState.STARTING_PRIMARY, "starting PostgreSQL as the primary of term " + ctx.term);
            ctx.local.configure(spec, me, null, ctx.sync.onPromotion(spec, ctx.term));
            ctx.pg.start(HaContext.START_TIMEOUT);
        }
        if (ctx.marks.areRolesPending()) {
            ctx.progress(MemberState.CREATING_ROLES, "creating pgfly's roles");
            bootstrapping.createPendingRoles();
            ctx.event("roles", "created pgfly's roles, which the bootstrap left pending");
        }
        Optional<PgProbe> probe = ctx.local.probe();
        if (probe.isEmpty()) {
            return CycleOutcome.of(MemberState.PRIMARY_NOT_ANSWERING, "PostgreSQL runs but does not answer a probe");
        }
        if (probe.get().inRecovery()) {
            promote(spec, me);
        }
        Optional<SwitchoverRequest> request = cluster.switchoverRequest();
        if (!leader.ready()) {
            leader = leader.asReady();
            ctx.store.updateLeader(leader);
            if (request.isPresent() && me.name().equals(request.get().to())) {
                ctx.store.clearSwitchover();
                ctx.event("switchover", "took over from " + request.get().from() + " (planned switchover)");
            }
        }
        ctx.progress(MemberState.RUNNING, null);
        // Slots first: a replica cannot stream without its slot, and with synchronous replication no
        // commit returns until one streams.
        for (String member : new ReplicationSlots(ctx.local.sql()).reconcile(spec, me)) {
            ctx.event("wal-retention", member + " fell past max_slot_wal_keep_size: its slot lost the WAL it needs and"
                    + " was made anew; " + member + " re-clones itself");
        }
        ctx.local.ensureMonitorRoleOnce();
        Set<String> synchronousStandbys = spec.synchronous() ? ctx.sync.reconcile(spec, ctx.term) : Set.of();
        if (ctx.local.configure(spec, me, null, synchronousStandbys)) {
            ctx.local.sql().reload();
        }
        if (request.isPresent() && me.name().equals(request.get().from())) {
            new Switchover(ctx.store, ctx.local, ctx.lease, ctx.peers, ctx::event)
                    .handOver(spec, me, leader, probe.get().timeline(), request.get());
            if (!ctx.lease.isLeading()) {
                ctx.formerPrimaryCleanlyStopped = true;
                return CycleOutcome.of(MemberState.HANDED_OVER, "stopped cleanly for a planned switchover");
            }
            return CycleOutcome.running();
        }
        if (spec.scalesToZero()) {
            return stopIfIdle(cluster, leader);
        }
        return CycleOutcome.running();
    }

    /**
     * Runs only with the lease renewed in this very cycle ({@link LeaseKeeper#startLeading} reads the store:
     * the one re-read kept before this irreversible act, S1/S2), never on the snapshot's word alone.
     */
    private void promote(ClusterSpec spec, MemberSpec me) throws Exception {
        ctx.progress(MemberState.PROMOTING, "promoting to primary of term " + ctx.term);
        ctx.local.configure(spec, me, null, ctx.sync.onPromotion(spec, ctx.term));
        ctx.local.sql().reload();
        // PostgreSQL removes standby.signal itself when promoted (and fails if it is already gone).
        if (!ctx.local.sql().promote()) {
            throw new IllegalStateException("pg_promote did not complete");
        }
        ctx.marks.clearFormerPrimary();
        ctx.formerPrimaryCleanlyStopped = false;
        ctx.event("promote", "promoted to primary of term " + ctx.term);
        // A checkpoint records the new timeline in the control file, which pg_rewind on the former
        // primary relies on; run it beside the loop so that it does not delay anything.
        Thread.ofVirtual().start(() -> ctx.local.checkpointOn(me.host(), me.pgPort()));
    }

    /**
     * A scale-to-zero primary without client sessions for the idle timeout stops PostgreSQL. It keeps
     * its leader node (and term) but marks it not ready first, so that the proxy holds new clients and
     * asks for a wake instead of routing to a stopping server.
     */
    private CycleOutcome stopIfIdle(ClusterSnapshot cluster, LeaderRecord current) throws Exception {
        ClusterSpec spec = cluster.spec();
        long timeout = spec.idleTimeoutSeconds() * 1000;
        if (!scaleToZero.shouldStop(System.currentTimeMillis(), ctx.local.sql().clientSessions(), timeout)) {
            return CycleOutcome.running();
        }
        long wakeRequest = cluster.wakeRequestedAt();
        ctx.store.updateLeader(current.asNotReady());
        // The proxy stops routing here once it sees the change; a client it routed just before may
        // still be connecting. Give such clients a moment to show up as sessions before deciding.
        Thread.sleep(500);
        if (ctx.local.sql().clientSessions() > 0) {
            // A client slipped in while the proxy still routed here: keep serving it.
            ctx.store.updateLeader(current.asReady());
            scaleToZero.serving(System.currentTimeMillis());
            return CycleOutcome.running();
        }
        ctx.pg.stop(ShutdownMode.FAST, Duration.ofSeconds(60));
        ctx.local.sql().reset();
        scaleToZero.stopped(wakeRequest);
        ctx.event("idle-stop", "no client for " + spec.idleTimeoutSeconds() + " s: PostgreSQL stopped until a client connects");
        return CycleOutcome.of(MemberState.IDLE, "stopped after " + spec.idleTimeoutSeconds() + " s without clients");
    }

    /**
     * Empty when PostgreSQL was started again (a client asked through the proxy); else the outcome of a
     * cycle that stays idle: {@code idle} when nobody asked, a failed wake-up when starting failed.
     */
    private Optional<CycleOutcome> wakeIfAsked(ClusterSnapshot cluster, MemberSpec me, CycleOutcome idle) throws Exception {
        ClusterSpec spec = cluster.spec();
        long wakeRequest = cluster.wakeRequestedAt();
        if (!scaleToZero.shouldWake(wakeRequest, spec.scalesToZero())) {
            return Optional.of(idle);
        }
        long started = System.currentTimeMillis();
        ctx.progress(MemberState.WAKING, "a client asked through the proxy");
        try {
            ctx.local.configure(spec, me, null, ctx.sync.onPromotion(spec, ctx.term));
            ctx.pg.start(HaContext.START_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            // Stay idle until the next request: the proxy answers the waiting clients with this reason.
            scaleToZero.stopped(wakeRequest);
            ctx.store.answerWake(new WakeAnswer(wakeRequest, false, e.getMessage(), System.currentTimeMillis()));
            ctx.event("wake-failed", "could not start PostgreSQL for a client: " + e.getMessage());
            return Optional.of(CycleOutcome.of(MemberState.WAKE_FAILED, e.getMessage()));
        }
        ctx.store.answerWake(new WakeAnswer(wakeRequest, true, "started", System.currentTimeMillis()));
        scaleToZero.serving(System.currentTimeMillis());
        ctx.event("wake", "a client connected: PostgreSQL started in " + (System.currentTimeMillis() - started) + " ms");
        return Optional.empty();
    }
}
