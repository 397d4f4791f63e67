package dev.pgfly.agent;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.ConnectionListener;
import dev.pgfly.core.ha.Candidate;
import dev.pgfly.core.ha.ElectionInput;
import dev.pgfly.core.ha.ElectionResult;
import dev.pgfly.core.ha.FailoverPolicy;
import dev.pgfly.core.ha.Timelines;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.core.model.SyncState;
import dev.pgfly.core.model.WakeAnswer;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.postgres.PgInstance;
import dev.pgfly.postgres.PgProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The high-availability loop of one member. Each cycle looks at the store and at PostgreSQL and
 * does one of three things: lead (hold the leader node, keep PostgreSQL a writable primary, its
 * slots and synchronous standbys), follow (be a streaming replica of the leader, rejoining with
 * pg_rewind when this member was a primary), or, when nobody leads, elect (promote itself only if
 * {@link FailoverPolicy} says it is the best candidate). Cycles run on one thread, triggered by store
 * watches and by a timer; fencing on connection loss runs at once on the store's event thread.
 */
final class HaLoop implements ConnectionListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaLoop.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SWITCHOVER_CATCH_UP = Duration.ofSeconds(30);
    private static final Duration SWITCHOVER_REQUEST_TTL = Duration.ofSeconds(60);
    private static final Duration DIVERGENCE_GRACE = Duration.ofSeconds(20);

    private final AgentConfig config;
    private final ClusterStore store;
    private final LocalPostgres local;
    private final PgInstance pg;
    private final LeaseKeeper lease;
    private final PeerClient peers = new PeerClient();
    private final SyncStandbys sync;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ha-loop").factory());
    private final AtomicBoolean cycleQueued = new AtomicBoolean();
    private final ScaleToZero scaleToZero = new ScaleToZero();

    private volatile MemberState state = MemberState.STARTING;
    /** The sentence that goes with {@link #state}: why, from whom, what failed. */
    private volatile String detail;
    private volatile long term;
    private volatile String upstream;
    private volatile long lastKnownPrimaryPosition;
    private volatile boolean closing;
    private final StreamingGrace streamingGrace = new StreamingGrace(DIVERGENCE_GRACE);
    private final StreamingGrace unansweredGrace = new StreamingGrace(START_TIMEOUT);
    private int failedReplicaStarts;
    /** The last pg_rewind found nothing to do: if streaming still fails, only a re-clone helps. */
    private boolean rewoundWithoutEffect;
    private volatile long retryNotBefore;
    private String lastRefusal;
    private volatile HaObserver observer = HaObserver.NONE;

    HaLoop(AgentConfig config, ClusterStore store, LocalPostgres local, LeaseKeeper lease) {
        this.config = config;
        this.store = store;
        this.local = local;
        this.pg = local.instance();
        this.lease = lease;
        this.sync = new SyncStandbys(store, local, config.member());
    }

    void start() {
        store.onConnectionChange(this);
        store.onChange(this::trigger);
        long period = config.loopInterval().toMillis();
        loop.scheduleWithFixedDelay(this::trigger, 0, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs an administrative action (e.g. a restart requested through the API) on the loop's own
     * thread, between two cycles, so that it never races a cycle; then asks for a cycle.
     */
    <T> T runBetweenCycles(java.util.concurrent.Callable<T> action, Duration timeout) throws Exception {
        try {
            return loop.submit(action).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
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
    void trigger() {
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
        } catch (java.util.concurrent.RejectedExecutionException e) {
            cycleQueued.set(false);
        }
    }

    private void cycle() {
        if (closing) {
            return;
        }
        long started = System.nanoTime();
        try {
            runCycle();
            retryNotBefore = 0;
        } catch (Exception e) {
            retryNotBefore = System.currentTimeMillis() + config.loopInterval().toMillis();
            enter(MemberState.ERROR, e.getMessage());
            log.warn("HA cycle failed: {}", e.toString(), e);
        }
        try {
            publish();
        } catch (RuntimeException e) {
            log.debug("could not publish status: {}", e.toString());
        }
        observer.cycleTook(System.nanoTime() - started);
    }

    private void runCycle() throws Exception {
        if (!store.isConnected()) {
            enter(MemberState.STORE_UNREACHABLE, "the coordination session is not connected");
            return;
        }
        Optional<ClusterSpec> maybeSpec = store.config();
        if (maybeSpec.isEmpty()) {
            enter(MemberState.WAITING_FOR_CONFIG, "the cluster configuration is not in the store yet");
            return;
        }
        ClusterSpec spec = maybeSpec.get();
        Optional<MemberSpec> maybeMe = spec.member(config.member());
        if (maybeMe.isEmpty()) {
            enter(MemberState.REMOVED, "removed from the cluster");
            lease.stopLeading();
            pg.stop("fast", Duration.ofSeconds(30));
            lease.clear();
            return;
        }
        MemberSpec me = maybeMe.get();
        pg.takeUnexpectedExit().ifPresent(pid -> event("restart",
                "PostgreSQL (pid " + pid + ") exited without the agent stopping it; the agent starts it again"));
        Optional<LeaderRecord> leader = store.leader();
        if (leader.isPresent() && leader.get().member().equals(me.name()) && !store.holdsLeadership(me.name())) {
            takeBackStaleLeaderNode();
            leader = store.leader();
        }
        if (!pg.hasData()) {
            bootstrap(spec, me, leader.orElse(null));
        } else if (Files.exists(recloneNeededMarker())) {
            recloneDamagedDataDir(spec, me, leader.orElse(null));
        } else if (leader.isEmpty() && Files.exists(rolesPendingMarker())) {
            resumeBootstrap(spec, me);
        } else if (leader.isPresent() && leader.get().member().equals(me.name())) {
            lead(spec, me, leader.get());
        } else if (leader.isPresent()) {
            follow(spec, me, leader.get());
        } else {
            elect(spec, me);
        }
    }

    // ------------------------------------------------------------------ connection events

    /** S1: the moment the session may be lost, a primary stops accepting writes. */
    @Override
    public void suspended() {
        if (lease.isLeading()) {
            lease.stopLeading();
            log.warn("coordination connection suspended while leading: immediate shutdown of PostgreSQL (fencing)");
            pg.signalImmediateShutdown();
            enter(MemberState.FENCED, "coordination connection lost while leading");
            event("fence", "coordination connection suspended while leading");
        }
    }

    @Override
    public void reconnected() {
        trigger();
    }

    @Override
    public void lost() {
        // suspended() has fenced already if this member led; the next cycle rejoins or re-elects.
        lease.stopLeading();
        trigger();
    }

    // ------------------------------------------------------------------ bootstrap

    private void bootstrap(ClusterSpec spec, MemberSpec me, LeaderRecord leader) throws Exception {
        if (leader == null && !store.initialized() && store.tryClaimInitialize(me.name())) {
            enter(MemberState.INITIALIZING, "initdb of a new cluster");
            clearIncompleteDataDir();
            pg.initdb(local.secrets().superuserPassword());
            local.configure(spec, me, null, Set.of());
            OptionalLong acquired = store.tryAcquireLeadership(me.name(), me.host(), me.pgPort());
            if (acquired.isEmpty()) {
                throw new IllegalStateException("initialized the cluster but another member leads");
            }
            term = acquired.getAsLong();
            if (!lease.startLeading()) {
                throw new IllegalStateException("could not prove leadership right after acquiring it");
            }
            // Until pgfly's roles exist nothing can probe this server: if creating them fails here (a
            // login timeout on a starved machine), the lead path finishes the job; if the agent dies,
            // its successor resumes the bootstrap (resumeBootstrap).
            Files.writeString(rolesPendingMarker(), "");
            pg.start(START_TIMEOUT);
            finishBootstrap(spec, me);
            event("bootstrap", "initialized a new cluster (initdb) and became its primary");
            return;
        }
        if (leader == null || !leader.ready()) {
            enter(MemberState.WAITING_FOR_PRIMARY, "waiting for a primary to clone from");
            return;
        }
        term = leader.term();
        enter(MemberState.CLONING, "cloning from " + leader.member());
        clearIncompleteDataDir();
        local.writePassFile();
        var result = pg.basebackup(leader.host(), leader.pgPort(), null, Duration.ofHours(6));
        if (!result.ok()) {
            clearIncompleteDataDir();
            throw new IOException("pg_basebackup from " + leader.member() + " failed: " + result.lastLine());
        }
        startAsReplica(spec, me, leader);
        event("clone", "cloned from " + leader.member() + " with pg_basebackup");
    }

    /**
     * The member that initialized the cluster died before creating pgfly's roles, and its leader node is
     * gone with its session. An election cannot help: it probes as the agent's role, which does not exist
     * here. It need not either, because this data directory is the cluster's only copy: the leader is
     * marked ready only after the roles exist (and the mark is removed), and until then no member can
     * clone (the replication role is missing too). So this member takes leadership again, comes up
     * writable only once it holds it, and finishes what the bootstrap began.
     */
    private void resumeBootstrap(ClusterSpec spec, MemberSpec me) throws Exception {
        enter(MemberState.RESUMING_BOOTSTRAP, "resuming the interrupted bootstrap");
        OptionalLong acquired = store.tryAcquireLeadership(me.name(), me.host(), me.pgPort());
        if (acquired.isEmpty()) {
            enter(MemberState.LOST_ELECTION, "another member leads");
            return;
        }
        term = acquired.getAsLong();
        if (!lease.startLeading()) {
            enter(MemberState.LEADERSHIP_UNPROVEN, "cannot prove leadership to the store");
            return;
        }
        if (pg.isRunning() && pg.isStandbyConfigured()) {
            // A standby of nobody, started by an election attempt: only a primary can create roles.
            pg.stop("fast", Duration.ofSeconds(60));
        }
        pg.setStandby(false);
        removeFormerPrimaryMarker();
        if (!pg.isRunning()) {
            local.configure(spec, me, null, sync.onPromotion(spec, term));
            pg.start(START_TIMEOUT);
        }
        finishBootstrap(spec, me);
        event("bootstrap", "resumed the bootstrap of the previous agent: created pgfly's roles and became primary");
    }

    /** The primary of a new cluster runs and holds leadership: its roles, its synchronous set, then clients. */
    private void finishBootstrap(ClusterSpec spec, MemberSpec me) throws Exception {
        createPendingRoles();
        // With synchronous replication, no write is acknowledged before a standby has it: set the
        // synchronous set (recorded first) before clients are routed here.
        if (local.configure(spec, me, null, sync.onPromotion(spec, term))) {
            local.sql().reload();
        }
        store.updateLeader(store.leader().orElseThrow().asReady());
        enter(MemberState.RUNNING, null);
    }

    private Path rolesPendingMarker() {
        return pg.memberDir().resolve("roles-pending");
    }

    /** Creates pgfly's roles as the superuser (idempotent), then forgets that they were pending. */
    private void createPendingRoles() throws Exception {
        local.createRoles();
        Files.deleteIfExists(rolesPendingMarker());
    }

    /** A data directory without PG_VERSION is an interrupted initdb or clone, never a database: safe to clear. */
    private void clearIncompleteDataDir() throws IOException {
        if (!pg.hasData()) {
            FileTrees.deleteContents(pg.dataDir());
        }
        pg.prepareDirectories();
    }

    // ------------------------------------------------------------------ leading

    private void lead(ClusterSpec spec, MemberSpec me, LeaderRecord leader) throws Exception {
        term = leader.term();
        upstream = null;
        if (!lease.isLeading() && !lease.startLeading()) {
            enter(MemberState.LEADERSHIP_UNPROVEN, "cannot prove leadership to the store");
            return;
        }
        if (scaleToZero.isIdle()) {
            if (state == MemberState.WAKE_FAILED) {
                // Published once, right after the attempt, for the proxy to answer the waiting clients
                // with; republished, it would refuse the next client before its own wake-up was tried.
                enter(MemberState.IDLE, "the last wake-up failed (" + detail + ")");
            }
            if (!wakeIfAsked(spec, me)) {
                return;
            }
        }
        if (!pg.isRunning()) {
            enter(MemberState.STARTING_PRIMARY, "starting PostgreSQL as the primary of term " + term);
            local.configure(spec, me, null, sync.onPromotion(spec, term));
            pg.start(START_TIMEOUT);
        }
        if (Files.exists(rolesPendingMarker())) {
            enter(MemberState.CREATING_ROLES, "creating pgfly's roles");
            createPendingRoles();
            event("roles", "created pgfly's roles, which the bootstrap left pending");
        }
        Optional<PgProbe> probe = local.probe();
        if (probe.isEmpty()) {
            enter(MemberState.PRIMARY_NOT_ANSWERING, "PostgreSQL runs but does not answer a probe");
            return;
        }
        if (probe.get().inRecovery()) {
            enter(MemberState.PROMOTING, "promoting to primary of term " + term);
            local.configure(spec, me, null, sync.onPromotion(spec, term));
            local.sql().reload();
            // PostgreSQL removes standby.signal itself when promoted (and fails if it is already gone).
            if (!local.sql().promote()) {
                throw new IllegalStateException("pg_promote did not complete");
            }
            removeFormerPrimaryMarker();
            formerPrimaryCleanlyStopped = false;
            event("promote", "promoted to primary of term " + term);
            // A checkpoint records the new timeline in the control file, which pg_rewind on the former
            // primary relies on; run it beside the loop so that it does not delay anything.
            Thread.ofVirtual().start(() -> local.checkpointOn(me.host(), me.pgPort()));
        }
        if (!leader.ready()) {
            store.updateLeader(leader.asReady());
            Optional<SwitchoverRequest> request = store.switchover();
            if (request.isPresent() && me.name().equals(request.get().to())) {
                store.clearSwitchover();
                event("switchover", "took over from " + request.get().from() + " (planned switchover)");
            }
        }
        enter(MemberState.RUNNING, null);
        // Slots first: a replica cannot stream without its slot, and with synchronous replication no
        // commit returns until one streams.
        new ReplicationSlots(local.sql()).reconcile(spec, me);
        local.ensureMonitorRoleOnce();
        Set<String> synchronousStandbys = spec.synchronous() ? sync.reconcile(spec, term) : Set.of();
        if (local.configure(spec, me, null, synchronousStandbys)) {
            local.sql().reload();
        }
        Optional<SwitchoverRequest> request = store.switchover();
        if (request.isPresent() && me.name().equals(request.get().from())) {
            new Switchover(store, local, lease, peers, this::event).handOver(spec, me, request.get());
            if (!lease.isLeading()) {
                enter(MemberState.HANDED_OVER, "stopped cleanly for a planned switchover");
                formerPrimaryCleanlyStopped = true;
            }
            return;
        }
        if (spec.scalesToZero()) {
            stopIfIdle(spec);
        }
    }

    // ------------------------------------------------------------------ scale to zero

    /**
     * A scale-to-zero primary without client sessions for the idle timeout stops PostgreSQL. It keeps
     * its leader node (and term) but marks it not ready first, so that the proxy holds new clients and
     * asks for a wake instead of routing to a stopping server.
     */
    private void stopIfIdle(ClusterSpec spec) throws Exception {
        long timeout = spec.idleTimeoutSeconds() * 1000;
        if (!scaleToZero.shouldStop(System.currentTimeMillis(), local.sql().clientSessions(), timeout)) {
            return;
        }
        long wakeRequest = store.wakeRequestedAt();
        LeaderRecord current = store.leader().orElseThrow();
        store.updateLeader(current.asNotReady());
        // The proxy stops routing here once it sees the change; a client it routed just before may
        // still be connecting. Give such clients a moment to show up as sessions before deciding.
        Thread.sleep(500);
        if (local.sql().clientSessions() > 0) {
            // A client slipped in while the proxy still routed here: keep serving it.
            store.updateLeader(current.asReady());
            scaleToZero.serving(System.currentTimeMillis());
            return;
        }
        pg.stop("fast", Duration.ofSeconds(60));
        local.sql().reset();
        scaleToZero.stopped(wakeRequest);
        enter(MemberState.IDLE, "stopped after " + spec.idleTimeoutSeconds() + " s without clients");
        event("idle-stop", "no client for " + spec.idleTimeoutSeconds() + " s: PostgreSQL stopped until a client connects");
    }

    /** True when PostgreSQL was started again (a client asked through the proxy), false to stay idle. */
    private boolean wakeIfAsked(ClusterSpec spec, MemberSpec me) throws Exception {
        long wakeRequest = store.wakeRequestedAt();
        if (!scaleToZero.shouldWake(wakeRequest, spec.scalesToZero())) {
            return false;
        }
        long started = System.currentTimeMillis();
        enter(MemberState.WAKING, "a client asked through the proxy");
        try {
            local.configure(spec, me, null, sync.onPromotion(spec, term));
            pg.start(START_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            // Stay idle until the next request: the proxy answers the waiting clients with this reason.
            scaleToZero.stopped(wakeRequest);
            enter(MemberState.WAKE_FAILED, e.getMessage());
            store.answerWake(new WakeAnswer(wakeRequest, false, e.getMessage(), System.currentTimeMillis()));
            event("wake-failed", "could not start PostgreSQL for a client: " + e.getMessage());
            return false;
        }
        store.answerWake(new WakeAnswer(wakeRequest, true, "started", System.currentTimeMillis()));
        scaleToZero.serving(System.currentTimeMillis());
        event("wake", "a client connected: PostgreSQL started in " + (System.currentTimeMillis() - started) + " ms");
        return true;
    }

    /** Set after a planned switchover: the shutdown checkpoint reached the new primary, no rewind needed. */
    private volatile boolean formerPrimaryCleanlyStopped;

    // ------------------------------------------------------------------ following

    private void follow(ClusterSpec spec, MemberSpec me, LeaderRecord leader) throws Exception {
        lease.stopLeading();
        term = leader.term();
        upstream = leader.member();
        lastRefusal = null;
        store.members().stream().filter(m -> m.name().equals(leader.member())).findFirst()
                .ifPresent(m -> lastKnownPrimaryPosition = m.walPosition());
        Optional<PgProbe> probe = local.probe();
        if (mayAcceptWrites(probe)) {
            // A primary without leadership: stop writes now, rejoin below.
            enter(MemberState.DEMOTING, "PostgreSQL may accept writes without leadership: immediate shutdown");
            // Stopped by force, not handed over: what a switchover once left here no longer holds.
            formerPrimaryCleanlyStopped = false;
            markFormerPrimary();
            pg.stop("immediate", Duration.ofSeconds(30));
            event("demote", leader.member() + " leads term " + leader.term() + "; stopped this former primary");
        }
        if (!pg.isRunning()) {
            lease.clear();
            if (!leader.ready()) {
                enter(MemberState.WAITING_FOR_PRIMARY, "waiting for " + leader.member() + " to be ready");
                return;
            }
            if (isFormerPrimary()) {
                rejoin(leader);
            }
            try {
                startAsReplica(spec, me, leader);
                failedReplicaStarts = 0;
            } catch (IOException e) {
                // A data directory that cannot start as a replica of this leader (e.g. a rewind that
                // left it unrecoverable) is replaced by a fresh clone after a few attempts.
                if (++failedReplicaStarts >= 3) {
                    failedReplicaStarts = 0;
                    reclone(leader, "could not start as a replica (" + e.getMessage() + ")");
                    startAsReplica(spec, me, leader);
                    return;
                }
                throw e;
            }
            return;
        }
        lease.clear();
        if (local.configure(spec, me, leader, Set.of())) {
            local.sql().reload();
            streamingGrace.reset();
            event("follow", "now streams from " + leader.member());
        }
        if (probe.isEmpty()) {
            // Running but not answering: still starting, or stuck in recovery before consistency (WAL it
            // cannot get). A longer grace than for a replica that answers: a busy host's probes time out.
            enter(MemberState.STARTING_REPLICA, "running, not accepting connections yet");
            recoverIfNotStreamingForLong(spec, me, leader, unansweredGrace);
            return;
        }
        unansweredGrace.reset();
        PgProbe p = probe.get();
        if (p.streaming() && Timelines.onLeaderTimeline(p.timeline(), leaderTimeline(leader))) {
            streamingGrace.reset();
            rewoundWithoutEffect = false;
            enter(MemberState.RUNNING, null);
            if (formerPrimaryCleanlyStopped) {
                // Streams as it is: the handover is complete. Kept, the flag would let a later, forced
                // demotion of this member skip its rewind.
                rejoin(leader);
            }
        } else if (!p.streaming() && isFormerPrimary() && leader.ready() && formerPrimaryCleanlyStopped) {
            // A planned switchover's former primary, started as a standby while the leader node moved:
            // the new primary has its shutdown checkpoint, so it streams as it is. A restart would only
            // wait for its archiver, which pushes everything pending before PostgreSQL stops.
            rejoin(leader);
            enter(MemberState.CATCHING_UP, "catching up with " + leader.member());
        } else if (!p.streaming() && isFormerPrimary() && leader.ready()) {
            // Started as a standby without an upstream while leaderless: rewind before it streams.
            pg.stop("fast", Duration.ofSeconds(60));
            rejoin(leader);
            startAsReplica(spec, me, leader);
        } else {
            // Not streaming, or streaming a timeline the leader left (see Timelines.onLeaderTimeline).
            enter(MemberState.CATCHING_UP, "catching up with " + leader.member());
            recoverIfNotStreamingForLong(spec, me, leader, streamingGrace);
        }
    }

    /**
     * Not streaming for longer than the grace: most often this member's history diverged from the new
     * primary's, and pg_rewind puts that right. When pg_rewind found nothing to do last time and the
     * member still cannot stream, its WAL went past the primary's on the same timeline (a fork pg_rewind
     * cannot see: it compares timelines); only a fresh clone helps then. Either way this member is a
     * replica whose leader has everything acknowledged, so replacing its data loses nothing.
     */
    private void recoverIfNotStreamingForLong(ClusterSpec spec, MemberSpec me, LeaderRecord leader, StreamingGrace grace)
            throws IOException {
        if (!leader.ready() || !grace.usedUp(System.currentTimeMillis())) {
            return;
        }
        formerPrimaryCleanlyStopped = false;
        pg.stop("fast", Duration.ofSeconds(60));
        if (rewoundWithoutEffect) {
            log.warn("not streaming from {} although pg_rewind found nothing to rewind: re-cloning", leader.member());
            rewoundWithoutEffect = false;
            reclone(leader, "still not streaming after pg_rewind found nothing to rewind");
        } else {
            log.warn("not streaming from {} for long: rewinding", leader.member());
            markFormerPrimary();
            rejoin(leader);
        }
        startAsReplica(spec, me, leader);
    }

    /** The leader's timeline as it last published it (0 when it has not). */
    private int leaderTimeline(LeaderRecord leader) {
        return store.members().stream().filter(m -> m.name().equals(leader.member()) && m.role() == Role.PRIMARY)
                .mapToInt(MemberStatus::timeline).findFirst().orElse(0);
    }

    private void startAsReplica(ClusterSpec spec, MemberSpec me, LeaderRecord leader) throws IOException {
        local.configure(spec, me, leader, Set.of());
        pg.setStandby(true);
        lease.clear();
        enter(MemberState.STARTING_REPLICA, "starting as a replica of " + leader.member());
        pg.start(START_TIMEOUT);
        streamingGrace.reset();
        unansweredGrace.reset();
        local.sql().reset();
        enter(MemberState.RUNNING, null);
    }

    /** S4: a former primary never rejoins blind. pg_rewind first, a fresh clone if that fails. */
    private void rejoin(LeaderRecord leader) throws IOException {
        if (formerPrimaryCleanlyStopped) {
            formerPrimaryCleanlyStopped = false;
            removeFormerPrimaryMarker();
            event("rejoin", "follows " + leader.member() + " after a planned switchover, no rewind needed");
            return;
        }
        enter(MemberState.REWINDING, "rewinding against " + leader.member());
        local.configure(store.config().orElseThrow(), store.config().orElseThrow().member(config.member()).orElseThrow(),
                leader, Set.of());
        // pg_rewind reads the source's timeline from its control file, which a freshly promoted primary
        // updates only at its next checkpoint: without one it wrongly finds "no rewind required".
        local.checkpointOn(leader.host(), leader.pgPort());
        var rewind = pg.rewind(leader.host(), leader.pgPort(), Duration.ofHours(1));
        if (rewind.ok()) {
            rewoundWithoutEffect = RewindOutput.foundNothingToRewind(rewind.output());
            removeFormerPrimaryMarker();
            event("rewind", "pg_rewind against " + leader.member() + ": " + rewind.lastLine());
            return;
        }
        log.warn("pg_rewind failed: {}; re-cloning", rewind.lastLine());
        if (RewindOutput.changedTheTarget(rewind.output())) {
            // A rewind that failed part-way leaves the data directory unusable (PostgreSQL's documentation
            // says so): marked first, so that if the re-clone fails too (its source stopping in a switchover)
            // the directory is never started, nor offered in an election, before a clone replaces it.
            // One that failed earlier (its source unreachable) changed nothing: the directory is still a
            // valid copy, and it must stay electable, since it may be the synchronous standby the others
            // need to hear from before any of them may promote.
            Files.writeString(recloneNeededMarker(), rewind.lastLine());
        }
        reclone(leader, "pg_rewind failed (" + rewind.lastLine() + ")");
    }

    /** A fresh clone that replaces the data directory only once complete (the old copy is kept until then). */
    private void reclone(LeaderRecord leader, String why) throws IOException {
        enter(MemberState.RECLONING, "re-cloning from " + leader.member());
        // A killed postmaster's last children (its archiver) still write into the directory we move.
        pg.awaitOldProcessesGone(Duration.ofSeconds(30));
        Path aside = pg.moveDataAside();
        var clone = pg.basebackup(leader.host(), leader.pgPort(), null, Duration.ofHours(6));
        if (!clone.ok()) {
            // Keep the only copy we had: put it back and try again next cycle.
            clearIncompleteDataDir();
            Files.delete(pg.dataDir());
            Files.move(aside, pg.dataDir());
            throw new IOException("re-clone from " + leader.member() + " failed: " + clone.lastLine());
        }
        // The clone is complete and a standby (basebackup says so): from here on nothing may fail the
        // re-clone. The old copies are only disk space now.
        removeFormerPrimaryMarker();
        Files.deleteIfExists(recloneNeededMarker());
        rewoundWithoutEffect = false;
        event("reclone", why + "; re-cloned from " + leader.member());
        removeOldCopies();
    }

    /** Removes data directories set aside by re-clones (this one's and any an earlier removal left). */
    private void removeOldCopies() {
        try {
            for (Path copy : pg.setAsideCopies()) {
                try {
                    FileTrees.delete(copy);
                } catch (IOException e) {
                    log.warn("could not remove the old copy {} yet ({}); the next re-clone tries again", copy, e.toString());
                }
            }
        } catch (IOException e) {
            log.warn("could not list {}: {}", pg.memberDir(), e.toString());
        }
    }

    private Path recloneNeededMarker() {
        return pg.memberDir().resolve("reclone-needed");
    }

    /**
     * The data directory was left unusable by a failed pg_rewind and the re-clone that followed failed too
     * (a chaos run: the rewind's source stopped for a switchover part-way, so did the clone's). Started, it
     * waited for WAL of a timeline it never reached and answered nobody. It is never started and never
     * offered in an election: the member waits for a ready primary and re-clones. It loses nothing: its
     * former history was being rewound to the new primary's, which holds every acknowledged write.
     */
    private void recloneDamagedDataDir(ClusterSpec spec, MemberSpec me, LeaderRecord leader) throws IOException {
        lease.stopLeading();
        if (pg.isRunning()) {
            pg.stop("immediate", Duration.ofSeconds(30));
        }
        lease.clear();
        if (leader == null || !leader.ready() || leader.member().equals(me.name())) {
            enter(MemberState.WAITING_FOR_PRIMARY, "waiting for a primary to re-clone from (a failed pg_rewind left the data directory unusable)");
            return;
        }
        term = leader.term();
        upstream = leader.member();
        reclone(leader, "the data directory a failed pg_rewind left unusable is replaced");
        startAsReplica(spec, me, leader);
    }

    private Path formerPrimaryMarker() {
        return pg.memberDir().resolve("former-primary");
    }

    private void markFormerPrimary() throws IOException {
        if (!Files.exists(formerPrimaryMarker())) {
            Files.writeString(formerPrimaryMarker(), Long.toString(System.currentTimeMillis()));
        }
    }

    /** Marked so, or a data directory that would start writable; never a clone that has not started yet. */
    private boolean isFormerPrimary() {
        return Files.exists(formerPrimaryMarker()) || (!pg.isStandbyConfigured() && !pg.isUnstartedClone());
    }

    private void removeFormerPrimaryMarker() throws IOException {
        Files.deleteIfExists(formerPrimaryMarker());
    }

    // ------------------------------------------------------------------ electing

    private void elect(ClusterSpec spec, MemberSpec me) throws Exception {
        lease.stopLeading();
        upstream = null;
        if (!pg.isRunning()) {
            // Never writable without leadership: come up as a standby to report a WAL position.
            if (!pg.isStandbyConfigured()) {
                markFormerPrimary();
            }
            local.configure(spec, me, null, Set.of());
            pg.setStandby(true);
            lease.clear();
            enter(MemberState.LEADERLESS, "starting as a standby: nobody leads");
            pg.start(START_TIMEOUT);
            local.sql().reset();
        }
        Optional<PgProbe> probe = local.probe();
        if (mayAcceptWrites(probe)) {
            enter(MemberState.DEMOTING, "PostgreSQL may accept writes without leadership: immediate shutdown");
            // Stopped by force, not handed over: what a switchover once left here no longer holds.
            formerPrimaryCleanlyStopped = false;
            markFormerPrimary();
            pg.stop("immediate", Duration.ofSeconds(30));
            event("demote", "nobody leads; stopped this writable former primary before an election");
            return;
        }
        lease.clear();
        String former = store.lastLeader().orElse(null);
        List<Candidate> candidates = new ArrayList<>();
        for (MemberSpec m : spec.members()) {
            if (m.name().equals(me.name())) {
                candidates.add(new Candidate(m.name(), m.region(), m.noFailover(), m.priority(), true,
                        probe.isPresent(), probe.map(PgProbe::walPosition).orElse(0L)));
            } else {
                Optional<MemberStatus> s = peers.status(m);
                candidates.add(new Candidate(m.name(), m.region(), m.noFailover(), m.priority(), s.isPresent(),
                        s.map(st -> st.role() == Role.REPLICA && st.postgresPid() > 0).orElse(false),
                        s.map(MemberStatus::walPosition).orElse(0L)));
            }
        }
        String switchoverTarget = store.switchover()
                .filter(r -> r.to() != null && System.currentTimeMillis() - r.requestedAt() < SWITCHOVER_REQUEST_TTL.toMillis())
                .map(SwitchoverRequest::to).orElse(null);
        Set<String> syncSet = store.syncState().map(SyncState::standbys).orElse(Set.of());
        ElectionResult decision = FailoverPolicy.decide(new ElectionInput(me.name(), spec.primaryRegion(), candidates,
                former, lastKnownPrimaryPosition, spec.synchronous(), syncSet, spec.maxLagBytes(), switchoverTarget));
        if (!decision.promote()) {
            enter(MemberState.LEADERLESS, decision.reason());
            if (!decision.reason().equals(lastRefusal)) {
                lastRefusal = decision.reason();
                event("failover-wait", decision.reason());
            }
            return;
        }
        OptionalLong acquired = store.tryAcquireLeadership(me.name(), me.host(), me.pgPort());
        if (acquired.isEmpty()) {
            enter(MemberState.LOST_ELECTION, "another member won the election");
            return;
        }
        term = acquired.getAsLong();
        lastRefusal = null;
        event(switchoverTarget != null ? "switchover-promote" : "failover",
                "elected for term " + term + " (former primary " + former + "): " + decision.reason());
        lead(spec, me, store.leader().orElseThrow());
    }

    /**
     * Whether the local PostgreSQL may accept writes: it runs and is not in recovery, or it does not
     * answer and has no standby.signal (a primary that is busy or starting counts as writable).
     */
    private boolean mayAcceptWrites(Optional<PgProbe> probe) {
        if (!pg.isRunning()) {
            return false;
        }
        return probe.map(p -> !p.inRecovery()).orElse(!pg.isStandbyConfigured());
    }

    // ------------------------------------------------------------------ stale leader node

    /** Our previous incarnation's leader node: make sure PostgreSQL cannot write, then remove it. */
    private void takeBackStaleLeaderNode() throws IOException {
        Optional<PgProbe> probe = local.probe();
        if (mayAcceptWrites(probe)) {
            log.warn("found a leader node of a previous agent of this member: stopping PostgreSQL before removing it");
            markFormerPrimary();
            pg.stop("immediate", Duration.ofSeconds(30));
        }
        lease.clear();
        store.removeStaleLeader(config.member());
        event("stale-leader", "removed the leader node left by this member's previous agent");
    }

    // ------------------------------------------------------------------ status

    MemberStatus status(Optional<PgProbe> probe) {
        ClusterSpec spec = store.config().orElse(null);
        MemberSpec me = spec == null ? null : spec.member(config.member()).orElse(null);
        Role role = probe.map(p -> p.inRecovery() ? Role.REPLICA : Role.PRIMARY).orElse(Role.UNKNOWN);
        long replayed = probe.map(PgProbe::replayedLsn).orElse(0L);
        long lag = role == Role.REPLICA && lastKnownPrimaryPosition > 0 ? Math.max(0, lastKnownPrimaryPosition - replayed) : 0;
        boolean synchronous = store.syncState().map(s -> s.standbys().contains(config.member())).orElse(false)
                && spec != null && spec.synchronous();
        return new MemberStatus(config.member(), role, state, detail,
                me == null ? null : me.host(), me == null ? 0 : me.pgPort(), me == null ? null : me.apiUrl(),
                me == null ? null : me.region(),
                probe.map(PgProbe::timeline).orElse(0),
                probe.map(PgProbe::currentLsn).orElse(0L),
                probe.map(PgProbe::receivedLsn).orElse(0L),
                replayed, lag, probe.map(PgProbe::replayLagSeconds).orElse(0.0),
                synchronous, probe.map(PgProbe::streaming).orElse(false),
                upstream, term, ProcessHandle.current().pid(), pg.postmasterPid().orElse(0L),
                System.currentTimeMillis());
    }

    private void publish() {
        if (store.isConnected()) {
            store.publishMember(status(local.probe()));
            observer.storeContacted();
        }
    }

    MemberState state() {
        return state;
    }

    String detail() {
        return detail;
    }

    /** Sets what this cycle is doing; published with the member's status at the end of the cycle. */
    private void enter(MemberState next, String why) {
        state = next;
        detail = why;
    }

    long term() {
        return term;
    }

    /** The leader this member follows, or null when it leads or nobody does. */
    String upstream() {
        return upstream;
    }

    void observe(HaObserver o) {
        observer = o;
    }

    void event(String kind, String reason) {
        log.info("event {}: {}", kind, reason);
        store.recordEvent(new Event(System.currentTimeMillis(), kind, config.member(), term, reason));
        observer.eventRecorded(kind);
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
        boolean wasLeading = lease.isLeading();
        lease.stopLeading();
        try {
            pg.stop("fast", Duration.ofSeconds(60));
            lease.clear();
        } catch (IOException e) {
            log.warn("could not stop PostgreSQL: {}", e.toString());
        }
        if (wasLeading) {
            try {
                store.releaseLeadership(config.member());
            } catch (RuntimeException e) {
                log.debug("could not release leadership: {}", e.toString());
            }
        }
    }
}
