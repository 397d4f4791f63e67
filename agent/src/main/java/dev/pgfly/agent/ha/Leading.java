package dev.pgfly.agent.ha;

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

    void lead(ClusterSpec spec, MemberSpec me, LeaderRecord leader) throws Exception {
        ctx.term = leader.term();
        ctx.upstream = null;
        if (!ctx.lease.isLeading() && !ctx.lease.startLeading()) {
            ctx.enter(MemberState.LEADERSHIP_UNPROVEN, "cannot prove leadership to the store");
            return;
        }
        if (scaleToZero.isIdle()) {
            if (ctx.state() == MemberState.WAKE_FAILED) {
                // Published once, right after the attempt, for the proxy to answer the waiting clients
                // with; republished, it would refuse the next client before its own wake-up was tried.
                ctx.enter(MemberState.IDLE, "the last wake-up failed (" + ctx.detail() + ")");
            }
            if (!wakeIfAsked(spec, me)) {
                return;
            }
        }
        if (!ctx.pg.isRunning()) {
            ctx.enter(MemberState.STARTING_PRIMARY, "starting PostgreSQL as the primary of term " + ctx.term);
            ctx.local.configure(spec, me, null, ctx.sync.onPromotion(spec, ctx.term));
            ctx.pg.start(HaContext.START_TIMEOUT);
        }
        if (ctx.marks.areRolesPending()) {
            ctx.enter(MemberState.CREATING_ROLES, "creating pgfly's roles");
            bootstrapping.createPendingRoles();
            ctx.event("roles", "created pgfly's roles, which the bootstrap left pending");
        }
        Optional<PgProbe> probe = ctx.local.probe();
        if (probe.isEmpty()) {
            ctx.enter(MemberState.PRIMARY_NOT_ANSWERING, "PostgreSQL runs but does not answer a probe");
            return;
        }
        if (probe.get().inRecovery()) {
            promote(spec, me);
        }
        if (!leader.ready()) {
            ctx.store.updateLeader(leader.asReady());
            Optional<SwitchoverRequest> request = ctx.store.switchover();
            if (request.isPresent() && me.name().equals(request.get().to())) {
                ctx.store.clearSwitchover();
                ctx.event("switchover", "took over from " + request.get().from() + " (planned switchover)");
            }
        }
        ctx.enter(MemberState.RUNNING, null);
        // Slots first: a replica cannot stream without its slot, and with synchronous replication no
        // commit returns until one streams.
        new ReplicationSlots(ctx.local.sql()).reconcile(spec, me);
        ctx.local.ensureMonitorRoleOnce();
        Set<String> synchronousStandbys = spec.synchronous() ? ctx.sync.reconcile(spec, ctx.term) : Set.of();
        if (ctx.local.configure(spec, me, null, synchronousStandbys)) {
            ctx.local.sql().reload();
        }
        Optional<SwitchoverRequest> request = ctx.store.switchover();
        if (request.isPresent() && me.name().equals(request.get().from())) {
            new Switchover(ctx.store, ctx.local, ctx.lease, ctx.peers, ctx::event).handOver(spec, me, request.get());
            if (!ctx.lease.isLeading()) {
                ctx.enter(MemberState.HANDED_OVER, "stopped cleanly for a planned switchover");
                ctx.formerPrimaryCleanlyStopped = true;
            }
            return;
        }
        if (spec.scalesToZero()) {
            stopIfIdle(spec);
        }
    }

    private void promote(ClusterSpec spec, MemberSpec me) throws Exception {
        ctx.enter(MemberState.PROMOTING, "promoting to primary of term " + ctx.term);
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
    private void stopIfIdle(ClusterSpec spec) throws Exception {
        long timeout = spec.idleTimeoutSeconds() * 1000;
        if (!scaleToZero.shouldStop(System.currentTimeMillis(), ctx.local.sql().clientSessions(), timeout)) {
            return;
        }
        long wakeRequest = ctx.store.wakeRequestedAt();
        LeaderRecord current = ctx.store.leader().orElseThrow();
        ctx.store.updateLeader(current.asNotReady());
        // The proxy stops routing here once it sees the change; a client it routed just before may
        // still be connecting. Give such clients a moment to show up as sessions before deciding.
        Thread.sleep(500);
        if (ctx.local.sql().clientSessions() > 0) {
            // A client slipped in while the proxy still routed here: keep serving it.
            ctx.store.updateLeader(current.asReady());
            scaleToZero.serving(System.currentTimeMillis());
            return;
        }
        ctx.pg.stop(ShutdownMode.FAST, Duration.ofSeconds(60));
        ctx.local.sql().reset();
        scaleToZero.stopped(wakeRequest);
        ctx.enter(MemberState.IDLE, "stopped after " + spec.idleTimeoutSeconds() + " s without clients");
        ctx.event("idle-stop", "no client for " + spec.idleTimeoutSeconds() + " s: PostgreSQL stopped until a client connects");
    }

    /** True when PostgreSQL was started again (a client asked through the proxy), false to stay idle. */
    private boolean wakeIfAsked(ClusterSpec spec, MemberSpec me) throws Exception {
        long wakeRequest = ctx.store.wakeRequestedAt();
        if (!scaleToZero.shouldWake(wakeRequest, spec.scalesToZero())) {
            return false;
        }
        long started = System.currentTimeMillis();
        ctx.enter(MemberState.WAKING, "a client asked through the proxy");
        try {
            ctx.local.configure(spec, me, null, ctx.sync.onPromotion(spec, ctx.term));
            ctx.pg.start(HaContext.START_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            // Stay idle until the next request: the proxy answers the waiting clients with this reason.
            scaleToZero.stopped(wakeRequest);
            ctx.enter(MemberState.WAKE_FAILED, e.getMessage());
            ctx.store.answerWake(new WakeAnswer(wakeRequest, false, e.getMessage(), System.currentTimeMillis()));
            ctx.event("wake-failed", "could not start PostgreSQL for a client: " + e.getMessage());
            return false;
        }
        ctx.store.answerWake(new WakeAnswer(wakeRequest, true, "started", System.currentTimeMillis()));
        scaleToZero.serving(System.currentTimeMillis());
        ctx.event("wake", "a client connected: PostgreSQL started in " + (System.currentTimeMillis() - started) + " ms");
        return true;
    }
}
