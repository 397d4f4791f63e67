package dev.pgfly.agent.ha;

import dev.pgfly.core.ha.ClusterSnapshot;
import dev.pgfly.core.ha.CycleOutcome;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.PauseState;
import dev.pgfly.core.model.Timelines;
import dev.pgfly.postgres.PgProbe;

import java.util.Optional;
import java.util.Set;

/**
 * A cycle of a paused cluster (Patroni's maintenance mode, {@link PauseState}): nobody is promoted, rewound,
 * re-cloned or elected, a stopped PostgreSQL is not started, and what each member sees is published with
 * "paused until ..." in its detail. Two things outrank a pause, because they are what makes pgfly safe:
 * the leader keeps proving its leadership (its lease), and a PostgreSQL that may accept writes without
 * holding the leadership is still stopped (S1). A primary that dies during a pause is reported, not replaced.
 */
final class PausedCycle {
    private final HaContext ctx;
    private final Demotion demotion;

    PausedCycle(HaContext ctx, Demotion demotion) {
        this.ctx = ctx;
        this.demotion = demotion;
    }

    /** This member holds the leader node. */
    CycleOutcome lead(ClusterSnapshot cluster, MemberSpec me, LeaderRecord leader, PauseState pause) throws Exception {
        String paused = "paused " + pause.untilText();
        ctx.term = leader.term();
        ctx.upstream = null;
        if (!ctx.lease.isLeading() && !ctx.lease.startLeading()) {
            return CycleOutcome.of(MemberState.LEADERSHIP_UNPROVEN, "cannot prove leadership to the store (" + paused + ")");
        }
        if (!ctx.pg.isRunning()) {
            return CycleOutcome.of(MemberState.PRIMARY_NOT_ANSWERING, paused
                    + ": PostgreSQL is not running, and is not started while paused");
        }
        Optional<PgProbe> probe = ctx.local.probe();
        if (probe.isEmpty()) {
            return CycleOutcome.of(MemberState.PRIMARY_NOT_ANSWERING, paused + ": PostgreSQL runs but does not answer");
        }
        if (probe.get().inRecovery()) {
            return CycleOutcome.of(MemberState.PRIMARY_NOT_ANSWERING, paused
                    + ": PostgreSQL runs as a standby, and is not promoted while paused");
        }
        // Settings still apply (the full-disk guard among them) on a cluster without synchronous replication;
        // the synchronous set is left exactly as it is until the pause ends.
        ClusterSpec spec = cluster.spec();
        if (!spec.synchronous() && ctx.local.configure(spec, me, null, Set.of())) {
            ctx.local.sql().reload();
        }
        return CycleOutcome.of(MemberState.RUNNING, paused);
    }

    /** Another member leads, or nobody does. */
    CycleOutcome observe(ClusterSnapshot cluster, MemberSpec me, PauseState pause) throws Exception {
        String paused = "paused " + pause.untilText();
        LeaderRecord leader = cluster.leader();
        ctx.lease.stopLeading();
        ctx.upstream = leader == null ? null : leader.member();
        if (leader != null) {
            ctx.term = leader.term();
            cluster.member(leader.member()).ifPresent(m -> ctx.lastKnownPrimaryPosition = m.walPosition());
        }
        if (me == null || !ctx.pg.hasData() || ctx.marks.isRecloneNeeded()) {
            return CycleOutcome.of(MemberState.WAITING_FOR_PRIMARY, paused + ": not cloned while paused");
        }
        Optional<PgProbe> probe = ctx.local.probe();
        // S1 outranks a pause: never writable without the leadership.
        if (demotion.demoteIfWritable(leader == null ? Demotion.Mode.BEFORE_ELECTION : Demotion.Mode.NEW_LEADER, probe,
                (leader == null ? "nobody leads" : leader.member() + " leads term " + leader.term())
                        + " (" + paused + "); stopped this writable PostgreSQL")) {
            return ctx.published();
        }
        if (leader == null) {
            return CycleOutcome.of(MemberState.LEADERLESS, paused + ": nobody leads, and nobody is promoted");
        }
        if (!ctx.pg.isRunning()) {
            return CycleOutcome.of(MemberState.CATCHING_UP, paused
                    + ": PostgreSQL is not running, and is not started while paused");
        }
        if (probe.isPresent() && probe.get().streaming()
                && Timelines.onLeaderTimeline(probe.get().timeline(), cluster.leaderTimeline())) {
            return CycleOutcome.of(MemberState.RUNNING, paused);
        }
        return CycleOutcome.of(MemberState.CATCHING_UP, paused + ": not streaming from " + leader.member()
                + ", and not rewound nor re-cloned while paused");
    }
}
