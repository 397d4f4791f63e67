package dev.pgfly.agent.ha;

import dev.pgfly.core.ha.ClusterSnapshot;
import dev.pgfly.core.ha.CycleOutcome;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.postgres.ShutdownMode;

import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * A member without a data directory: the first one initializes the cluster (initdb, leadership, pgfly's
 * roles), every other one clones the ready primary. Also finishes a bootstrap whose agent died before
 * pgfly's roles existed.
 */
final class Bootstrapping {
    private final HaContext ctx;
    private final Following following;

    Bootstrapping(HaContext ctx, Following following) {
        this.ctx = ctx;
        this.following = following;
    }

    CycleOutcome bootstrap(ClusterSnapshot cluster, MemberSpec me) throws Exception {
        ClusterSpec spec = cluster.spec();
        LeaderRecord leader = cluster.leader();
        // The claim is atomic: the snapshot's word that nobody initialized only saves a write.
        if (leader == null && !cluster.initialized() && ctx.store.tryClaimInitialize(me.name())) {
            ctx.progress(MemberState.INITIALIZING, "initdb of a new cluster");
            ctx.clearIncompleteDataDir();
            ctx.pg.data().initdb(ctx.local.secrets().superuserPassword());
            ctx.local.configure(spec, me, null, java.util.Set.of());
            OptionalLong acquired = ctx.store.tryAcquireLeadership(me.name(), me.host(), me.pgPort());
            if (acquired.isEmpty()) {
                throw new IllegalStateException("initialized the cluster but another member leads");
            }
            ctx.term = acquired.getAsLong();
            if (!ctx.lease.startLeading()) {
                throw new IllegalStateException("could not prove leadership right after acquiring it");
            }
            // Until pgfly's roles exist nothing can probe this server: if creating them fails here (a
            // login timeout on a starved machine), the lead path finishes the job; if the agent dies,
            // its successor resumes the bootstrap (resume).
            ctx.marks.markRolesPending();
            ctx.pg.start(HaContext.START_TIMEOUT);
            CycleOutcome finished = finish(spec, me);
            ctx.event("bootstrap", "initialized a new cluster (initdb) and became its primary");
            return finished;
        }
        if (leader == null || !leader.ready()) {
            return CycleOutcome.of(MemberState.WAITING_FOR_PRIMARY, "waiting for a primary to clone from");
        }
        ctx.term = leader.term();
        ctx.progress(MemberState.CLONING, "cloning from " + leader.member());
        ctx.clearIncompleteDataDir();
        ctx.local.writePassFile();
        var result = ctx.pg.data().basebackup(leader.host(), leader.pgPort(), null, Duration.ofHours(6));
        if (!result.ok()) {
            ctx.clearIncompleteDataDir();
            throw new IOException("pg_basebackup from " + leader.member() + " failed: " + result.lastLine());
        }
        CycleOutcome started = following.startAsReplica(spec, me, leader);
        ctx.event("clone", "cloned from " + leader.member() + " with pg_basebackup");
        return started;
    }

    /**
     * The member that initialized the cluster died before creating pgfly's roles, and its leader node is
     * gone with its session. An election cannot help: it probes as the agent's role, which does not exist
     * here. It need not either, because this data directory is the cluster's only copy: the leader is
     * marked ready only after the roles exist (and the mark is removed), and until then no member can
     * clone (the replication role is missing too). So this member takes leadership again, comes up
     * writable only once it holds it, and finishes what the bootstrap began.
     */
    CycleOutcome resume(ClusterSnapshot cluster, MemberSpec me) throws Exception {
        ClusterSpec spec = cluster.spec();
        ctx.progress(MemberState.RESUMING_BOOTSTRAP, "resuming the interrupted bootstrap");
        OptionalLong acquired = ctx.store.tryAcquireLeadership(me.name(), me.host(), me.pgPort());
        if (acquired.isEmpty()) {
            return CycleOutcome.of(MemberState.LOST_ELECTION, "another member leads");
        }
        ctx.term = acquired.getAsLong();
        if (!ctx.lease.startLeading()) {
            return CycleOutcome.of(MemberState.LEADERSHIP_UNPROVEN, "cannot prove leadership to the store");
        }
        if (ctx.pg.isRunning() && ctx.pg.data().isStandbyConfigured()) {
            // A standby of nobody, started by an election attempt: only a primary can create roles.
            ctx.pg.stop(ShutdownMode.FAST, Duration.ofSeconds(60));
        }
        ctx.pg.data().setStandby(false);
        ctx.marks.clearFormerPrimary();
        if (!ctx.pg.isRunning()) {
            ctx.local.configure(spec, me, null, ctx.sync.onPromotion(spec, ctx.term));
            ctx.pg.start(HaContext.START_TIMEOUT);
        }
        CycleOutcome finished = finish(spec, me);
        ctx.event("bootstrap", "resumed the bootstrap of the previous agent: created pgfly's roles and became primary");
        return finished;
    }

    /** The primary of a new cluster runs and holds leadership: its roles, its synchronous set, then clients. */
    private CycleOutcome finish(ClusterSpec spec, MemberSpec me) throws Exception {
        createPendingRoles();
        // With synchronous replication, no write is acknowledged before a standby has it: set the
        // synchronous set (recorded first) before clients are routed here.
        if (ctx.local.configure(spec, me, null, ctx.sync.onPromotion(spec, ctx.term))) {
            ctx.local.sql().reload();
        }
        // Read again, after this cycle's own write: the leader node it just acquired.
        ctx.store.updateLeader(ctx.store.leader().orElseThrow().asReady());
        return CycleOutcome.running();
    }

    /** Creates pgfly's roles as the superuser (idempotent), then forgets that they were pending. */
    void createPendingRoles() throws Exception {
        ctx.local.createRoles();
        ctx.marks.clearRolesPending();
    }
}
