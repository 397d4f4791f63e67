package dev.pgfly.agent.ha;

import dev.pgfly.agent.local.LocalPostgres;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.ConnectionListener;
import dev.pgfly.core.ha.ClusterSnapshot;
import dev.pgfly.core.ha.CycleDecision;
import dev.pgfly.core.ha.CycleOutcome;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.PauseState;
import dev.pgfly.core.model.Role;
import dev.pgfly.postgres.PgProbe;
import dev.pgfly.postgres.ShutdownMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The high-availability loop of one member. Each cycle reads the cluster once, asks
 * {@link CycleDecision} what to do, and runs one part: {@link Bootstrapping}, {@link Leading},
 * {@link Following} (with {@link Rejoining}) or {@link Election}; {@link Demotion} takes write authority
 * away. What the cycle did is its {@link MemberState}, published at its end. Cycles run on one thread,
 * triggered by store watches and by a timer; fencing on connection loss runs at once on the store's
 * event thread (S1). The states and rules are in docs/ha-state-machine.md.
 */
public final class HaLoop implements ConnectionListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaLoop.class);

    private final HaContext ctx;
    private final Demotion demotion;
    private final Following following;
    private final Bootstrapping bootstrapping;
    private final Leading leading;
    private final Election election;
    private final DiskWatch diskWatch;
    private final PausedCycle pausedCycle;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ha-loop").factory());
    private final AtomicBoolean cycleQueued = new AtomicBoolean();
    private volatile boolean closing;
    private volatile long retryNotBefore;

    public HaLoop(String member, Duration loopInterval, ClusterStore store, LocalPostgres local, LeaseKeeper lease) {
        this.ctx = new HaContext(member, loopInterval, store, local, lease);
        this.demotion = new Demotion(ctx);
        Rejoining rejoining = new Rejoining(ctx);
        this.following = new Following(ctx, demotion, rejoining);
        this.bootstrapping = new Bootstrapping(ctx, following);
        this.leading = new Leading(ctx, bootstrapping);
        this.election = new Election(ctx, demotion, leading);
        this.diskWatch = new DiskWatch(ctx);
        this.pausedCycle = new PausedCycle(ctx, demotion);
    }

    public void start() {
        ctx.store.onConnectionChange(this);
        ctx.store.onChange(this::trigger);
        long period = ctx.loopInterval.toMillis();
        loop.scheduleWithFixedDelay(this::trigger, 0, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs an administrative action (e.g. a restart requested through the API) on the loop's own
     * thread, between two cycles, so that it never races a cycle; then asks for a cycle.
     */
    public <T> T runBetweenCycles(Callable<T> action, Duration timeout) throws Exception {
        try {
            return loop.submit(action).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            trigger();
        }
    }

    /**
     * Asks for a cycle soon; bursts of watch events collapse into one cycle. After a failed cycle the
     * next waits a loop interval: every cycle publishes this member's status, which wakes the other
     * agents, so failing cycles would otherwise feed a storm of them (seen in a chaos run: replicas
     * retrying a rewind against a stopping primary ten times a second).
     */
    private void trigger() {
        if (closing || !cycleQueued.compareAndSet(false, true)) {
            return;
        }
        Runnable run = () -> {
            cycleQueued.set(false);
            cycle();
        };
        try {
            long wait = retryNotBefore - System.currentTimeMillis();
            if (wait > 0) {
                loop.schedule(run, wait, TimeUnit.MILLISECONDS);
            } else {
                loop.execute(run);
            }
        } catch (RejectedExecutionException e) {
            cycleQueued.set(false);
        }
    }

    private void cycle() {
        if (closing) {
            return;
        }
        long started = System.nanoTime();
        try {
            // Before the cycle's handler: a primary's configuration in this very cycle carries its verdict.
            diskWatch.check();
        } catch (RuntimeException e) {
            log.warn("disk guard failed: {}", e.toString());
        }
        try {
            ctx.settle(runCycle());
            retryNotBefore = 0;
        } catch (Exception e) {
            retryNotBefore = System.currentTimeMillis() + ctx.loopInterval.toMillis();
            ctx.settle(CycleOutcome.of(MemberState.ERROR, e.getMessage()));
            log.warn("HA cycle failed: {}", e.toString(), e);
        }
        try {
            publish();
        } catch (RuntimeException e) {
            log.debug("could not publish status: {}", e.toString());
        }
        ctx.observer.cycleTook(System.nanoTime() - started);
    }

    /**
     * One read of the cluster, one decision, one handler; what it did. The only second read is after this
     * cycle's own write: removing a stale leader node of this member's previous agent.
     */
    CycleOutcome runCycle() throws Exception {
        String name = ctx.member;
        ClusterSnapshot cluster = ClusterSnapshot.read(ctx.store);
        ClusterSpec spec = cluster.spec();
        PauseState pause = cluster.pausedAt(System.currentTimeMillis());
        if (spec != null && spec.member(name).isPresent()) {
            ctx.pg.postmaster().takeUnexpectedExit().ifPresent(pid -> ctx.event("restart",
                    "PostgreSQL (pid " + pid + ") exited without the agent stopping it; " + (pause == null
                            ? "the agent starts it again" : "the cluster is paused " + pause.untilText()
                            + ": it is not started")));
            if (CycleDecision.isStaleLeaderNode(cluster.leader(), name, ctx.store.holdsLeadership(name))) {
                takeBackStaleLeaderNode();
                cluster = ClusterSnapshot.read(ctx.store);
                spec = cluster.spec();
            }
        }
        CycleDecision.Result decision = CycleDecision.decide(new CycleDecision.Input(cluster.connected(), spec, name,
                cluster.leader(), ctx.pg.hasData(), ctx.marks.isRecloneNeeded(), ctx.marks.areRolesPending(), pause));
        MemberSpec me = spec == null ? null : spec.member(name).orElse(null);
        return switch (decision.action()) {
            // A leader fenced on SUSPENDED stays FENCED until the session is back: that says why its
            // PostgreSQL is down, which "store unreachable" alone would hide.
            case WAIT_FOR_STORE -> ctx.state() == MemberState.FENCED ? ctx.published()
                    : CycleOutcome.of(MemberState.STORE_UNREACHABLE, decision.reason());
            case WAIT_FOR_CONFIG -> CycleOutcome.of(MemberState.WAITING_FOR_CONFIG, decision.reason());
            case LEAVE -> leave();
            case BOOTSTRAP -> bootstrapping.bootstrap(cluster, me);
            case RECLONE_MARKED -> following.recloneMarked(cluster, me);
            case RESUME_BOOTSTRAP -> bootstrapping.resume(cluster, me);
            case LEAD -> leading.lead(cluster, me, cluster.leader());
            case FOLLOW -> {
                election.forgetLastRefusal();
                yield following.follow(cluster, me);
            }
            case ELECT -> election.elect(cluster, me);
            case LEAD_PAUSED -> pausedCycle.lead(cluster, me, cluster.leader(), pause);
            case OBSERVE_PAUSED -> pausedCycle.observe(cluster, me, pause);
        };
    }

    private CycleOutcome leave() throws IOException {
        CycleOutcome removed = CycleOutcome.of(MemberState.REMOVED, "removed from the cluster");
        ctx.progress(removed);
        ctx.lease.stopLeading();
        ctx.pg.stop(ShutdownMode.FAST, Duration.ofSeconds(30));
        ctx.lease.clear();
        return removed;
    }

    /** Our previous incarnation's leader node: make sure PostgreSQL cannot write, then remove it. */
    private void takeBackStaleLeaderNode() throws IOException {
        demotion.demoteIfWritable(Demotion.Mode.STALE_LEADER_NODE, ctx.local.probe(),
                "found a leader node of a previous agent of this member");
        ctx.lease.clear();
        ctx.store.removeStaleLeader(ctx.member);
        ctx.event("stale-leader", "removed the leader node left by this member's previous agent");
    }

    // ------------------------------------------------------------------ connection events

    /** S1: the moment the session may be lost, a primary stops accepting writes. */
    @Override
    public void suspended() {
        demotion.fence();
    }

    @Override
    public void reconnected() {
        trigger();
    }

    @Override
    public void lost() {
        // suspended() has fenced already if this member led; the next cycle rejoins or re-elects.
        ctx.lease.stopLeading();
        trigger();
    }

    // ------------------------------------------------------------------ status

    /** Asked between cycles too (the agent's API answers peers with it), so it reads the store itself. */
    public MemberStatus status(Optional<PgProbe> probe) {
        ClusterSpec spec = ctx.store.config().orElse(null);
        MemberSpec me = spec == null ? null : spec.member(ctx.member).orElse(null);
        Role role = probe.map(p -> p.inRecovery() ? Role.REPLICA : Role.PRIMARY).orElse(Role.UNKNOWN);
        long replayed = probe.map(PgProbe::replayedLsn).orElse(0L);
        long primaryPosition = ctx.lastKnownPrimaryPosition;
        long lag = role == Role.REPLICA && primaryPosition > 0 ? Math.max(0, primaryPosition - replayed) : 0;
        boolean synchronous = ctx.store.syncState().map(s -> s.standbys().contains(ctx.member)).orElse(false)
                && spec != null && spec.synchronous();
        return new MemberStatus(ctx.member, role, ctx.state(), ctx.detail(),
                me == null ? null : me.host(), me == null ? 0 : me.pgPort(), me == null ? null : me.apiUrl(),
                me == null ? null : me.region(),
                probe.map(PgProbe::timeline).orElse(0),
                probe.map(PgProbe::currentLsn).orElse(0L),
                probe.map(PgProbe::receivedLsn).orElse(0L),
                replayed, lag, probe.map(PgProbe::replayLagSeconds).orElse(0.0),
                synchronous, probe.map(PgProbe::streaming).orElse(false),
                ctx.upstream, ctx.term, ProcessHandle.current().pid(), ctx.pg.postmasterPid().orElse(0L),
                System.currentTimeMillis());
    }

    private void publish() {
        if (ctx.store.isConnected()) {
            ctx.store.publishMember(status(ctx.local.probe()));
            ctx.observer.storeContacted();
        }
    }

    MemberState state() {
        return ctx.state();
    }

    String detail() {
        return ctx.detail();
    }

    /** The full-disk guard's last verdict (the {@code vm} check reports it). */
    public dev.pgfly.agent.disk.DiskGuard.Verdict diskGuard() {
        return diskWatch.last();
    }

    public long term() {
        return ctx.term;
    }

    /** The leader this member follows, or null when it leads or nobody does. */
    public String upstream() {
        return ctx.upstream;
    }

    public void observe(HaObserver o) {
        ctx.observer = o;
    }

    /** Orderly stop: PostgreSQL first (shutdown checkpoint), leadership after, so writes never overlap. */
    @Override
    public void close() {
        closing = true;
        loop.shutdown();
        try {
            loop.awaitTermination(90, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean wasLeading = ctx.lease.isLeading();
        ctx.lease.stopLeading();
        try {
            ctx.pg.stop(ShutdownMode.FAST, Duration.ofSeconds(60));
            ctx.lease.clear();
        } catch (IOException e) {
            log.warn("could not stop PostgreSQL: {}", e.toString());
        }
        if (wasLeading) {
            try {
                ctx.store.releaseLeadership(ctx.member);
            } catch (RuntimeException e) {
                log.debug("could not release leadership: {}", e.toString());
            }
        }
    }
}
