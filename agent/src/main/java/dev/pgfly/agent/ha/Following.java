package dev.pgfly.agent.ha;

import dev.pgfly.core.ha.ClusterSnapshot;
import dev.pgfly.core.ha.CycleOutcome;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.Timelines;
import dev.pgfly.postgres.PgProbe;
import dev.pgfly.postgres.ShutdownMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Another member leads: be its streaming replica. A PostgreSQL that may accept writes is demoted first
 * (S1); a former primary rejoins through {@link Rejoining} (S4); a standby that does not stream on the
 * leader's timeline for longer than a grace is rewound, or re-cloned when a rewind already found nothing.
 */
final class Following {
    private static final Logger log = LoggerFactory.getLogger(Following.class);
    private static final Duration DIVERGENCE_GRACE = Duration.ofSeconds(20);

    private final HaContext ctx;
    private final Demotion demotion;
    private final Rejoining rejoining;
    private final StreamingGrace streamingGrace = new StreamingGrace(DIVERGENCE_GRACE);
    private final StreamingGrace unansweredGrace = new StreamingGrace(HaContext.START_TIMEOUT);
    private int failedReplicaStarts;
    /** Where PostgreSQL's log ended when it last started: only later lines say why it does not stream now. */
    private long logOffsetAtStart;
    private final StreamingGrace pastRetentionGrace = new StreamingGrace(Duration.ofSeconds(5));

    Following(HaContext ctx, Demotion demotion, Rejoining rejoining) {
        this.ctx = ctx;
        this.demotion = demotion;
        this.rejoining = rejoining;
        // Lines from before this agent started may be from before a re-clone: a replica still past the
        // retention says so again within a second.
        this.logOffsetAtStart = dev.pgfly.postgres.PostgresLog.size(ctx.pg.logFile());
    }

    CycleOutcome follow(ClusterSnapshot cluster, MemberSpec me) throws Exception {
        ClusterSpec spec = cluster.spec();
        LeaderRecord leader = cluster.leader();
        ctx.lease.stopLeading();
        ctx.term = leader.term();
        ctx.upstream = leader.member();
        cluster.member(leader.member()).ifPresent(m -> ctx.lastKnownPrimaryPosition = m.walPosition());
        Optional<PgProbe> probe = ctx.local.probe();
        // A primary without leadership: stop writes now, rejoin below.
        demotion.demoteIfWritable(Demotion.Mode.NEW_LEADER, probe,
                leader.member() + " leads term " + leader.term() + "; stopped this former primary");
        if (!ctx.pg.isRunning()) {
            ctx.lease.clear();
            if (!leader.ready()) {
                return CycleOutcome.of(MemberState.WAITING_FOR_PRIMARY, "waiting for " + leader.member() + " to be ready");
            }
            if (ctx.marks.isFormerPrimary()) {
                rejoining.rejoin(spec, leader);
            }
            return startOrReclone(spec, me, leader);
        }
        ctx.lease.clear();
        if (ctx.local.configure(spec, me, leader, Set.of())) {
            ctx.local.sql().reload();
            streamingGrace.reset();
            ctx.event("follow", "now streams from " + leader.member());
        }
        if (probe.isEmpty()) {
            // Running but not answering: still starting, or stuck in recovery before consistency (WAL it
            // cannot get). A longer grace than for a replica that answers: a busy host's probes time out.
            CycleOutcome starting = CycleOutcome.of(MemberState.STARTING_REPLICA, "running, not accepting connections yet");
            ctx.progress(starting);
            Optional<CycleOutcome> recloned = recloneIfPastWalRetention(spec, me, leader);
            if (recloned.isPresent()) {
                return recloned.get();
            }
            return recoverIfNotStreamingForLong(spec, me, leader, unansweredGrace).orElse(starting);
        }
        unansweredGrace.reset();
        PgProbe p = probe.get();
        if (p.streaming() && Timelines.onLeaderTimeline(p.timeline(), cluster.leaderTimeline())) {
            streamingGrace.reset();
            pastRetentionGrace.reset();
            ctx.rewoundWithoutEffect = false;
            if (ctx.formerPrimaryCleanlyStopped) {
                // Streams as it is: the handover is complete. Kept, the flag would let a later, forced
                // demotion of this member skip its rewind.
                rejoining.rejoin(spec, leader);
            }
            return CycleOutcome.running();
        } else if (!p.streaming() && ctx.marks.isFormerPrimary() && leader.ready() && ctx.formerPrimaryCleanlyStopped) {
            // A planned switchover's former primary, started as a standby while the leader node moved:
            // the new primary has its shutdown checkpoint, so it streams as it is. A restart would only
            // wait for its archiver, which pushes everything pending before PostgreSQL stops.
            rejoining.rejoin(spec, leader);
            return catchingUp(leader);
        } else if (!p.streaming() && ctx.marks.isFormerPrimary() && leader.ready()) {
            // Started as a standby without an upstream while leaderless: rewind before it streams.
            ctx.pg.stop(ShutdownMode.FAST, Duration.ofSeconds(60));
            rejoining.rejoin(spec, leader);
            return startAsReplica(spec, me, leader);
        } else {
            // Not streaming, or streaming a timeline the leader left (see Timelines.onLeaderTimeline).
            CycleOutcome catchingUp = catchingUp(leader);
            ctx.progress(catchingUp);
            Optional<CycleOutcome> recloned = recloneIfPastWalRetention(spec, me, leader);
            if (recloned.isPresent()) {
                return recloned.get();
            }
            return recoverIfNotStreamingForLong(spec, me, leader, streamingGrace).orElse(catchingUp);
        }
    }

    private static CycleOutcome catchingUp(LeaderRecord leader) {
        return CycleOutcome.of(MemberState.CATCHING_UP, "catching up with " + leader.member());
    }

    /**
     * A data directory that cannot start as a replica of this leader (e.g. a rewind that left it
     * unrecoverable) is replaced by a fresh clone after a few attempts.
     */
    private CycleOutcome startOrReclone(ClusterSpec spec, MemberSpec me, LeaderRecord leader) throws IOException {
        try {
            CycleOutcome started = startAsReplica(spec, me, leader);
            failedReplicaStarts = 0;
            return started;
        } catch (IOException e) {
            if (++failedReplicaStarts >= 3) {
                failedReplicaStarts = 0;
                rejoining.reclone(leader, "could not start as a replica (" + e.getMessage() + ")");
                return startAsReplica(spec, me, leader);
            }
            throw e;
        }
    }

    /**
     * Not streaming because the leader removed the WAL this replica needs (it stayed away longer than
     * {@code max_slot_wal_keep_size} allows, {@link PastWalRetention}): a re-clone, at once rather than after
     * a rewind that cannot help. A short grace lets a replica that restores from the WAL archive go on.
     */
    private Optional<CycleOutcome> recloneIfPastWalRetention(ClusterSpec spec, MemberSpec me, LeaderRecord leader)
            throws IOException {
        if (!leader.ready() || !PastWalRetention.reported(
                dev.pgfly.postgres.PostgresLog.linesSince(ctx.pg.logFile(), logOffsetAtStart, 64 * 1024))) {
            return Optional.empty();
        }
        if (!pastRetentionGrace.usedUp(System.currentTimeMillis())) {
            return Optional.empty();
        }
        ctx.formerPrimaryCleanlyStopped = false;
        ctx.pg.stop(ShutdownMode.FAST, Duration.ofSeconds(60));
        rejoining.reclone(leader, "fell past the WAL " + leader.member() + " keeps for it (max_slot_wal_keep_size):"
                + " the WAL it needs was removed");
        return Optional.of(startAsReplica(spec, me, leader));
    }

    /**
     * Not streaming for longer than the grace: most often this member's history diverged from the new
     * primary's, and pg_rewind puts that right. When pg_rewind found nothing to do last time and the
     * member still cannot stream, its WAL went past the primary's on the same timeline (a fork pg_rewind
     * cannot see: it compares timelines); only a fresh clone helps then. Either way this member is a
     * replica whose leader has everything acknowledged, so replacing its data loses nothing.
     */
    private Optional<CycleOutcome> recoverIfNotStreamingForLong(ClusterSpec spec, MemberSpec me, LeaderRecord leader,
                                                                StreamingGrace grace) throws IOException {
        if (!leader.ready() || !grace.usedUp(System.currentTimeMillis())) {
            return Optional.empty();
        }
        ctx.formerPrimaryCleanlyStopped = false;
        ctx.pg.stop(ShutdownMode.FAST, Duration.ofSeconds(60));
        if (ctx.rewoundWithoutEffect) {
            log.warn("not streaming from {} although pg_rewind found nothing to rewind: re-cloning", leader.member());
            ctx.rewoundWithoutEffect = false;
            rejoining.reclone(leader, "still not streaming after pg_rewind found nothing to rewind");
        } else {
            log.warn("not streaming from {} for long: rewinding", leader.member());
            ctx.marks.markFormerPrimary();
            rejoining.rejoin(spec, leader);
        }
        return Optional.of(startAsReplica(spec, me, leader));
    }

    /**
     * The data directory was left unusable by a failed pg_rewind and the re-clone that followed failed too
     * (a chaos run: the rewind's source stopped for a switchover part-way, so did the clone's). Started, it
     * waited for WAL of a timeline it never reached and answered nobody. It is never started and never
     * offered in an election: the member waits for a ready primary and re-clones. It loses nothing: its
     * former history was being rewound to the new primary's, which holds every acknowledged write.
     */
    CycleOutcome recloneMarked(ClusterSnapshot cluster, MemberSpec me) throws IOException {
        LeaderRecord leader = cluster.leader();
        ctx.lease.stopLeading();
        if (ctx.pg.isRunning()) {
            ctx.pg.stop(ShutdownMode.IMMEDIATE, Duration.ofSeconds(30));
        }
        ctx.lease.clear();
        if (leader == null || !leader.ready() || leader.member().equals(me.name())) {
            return CycleOutcome.of(MemberState.WAITING_FOR_PRIMARY,
                    "waiting for a primary to re-clone from (a failed pg_rewind left the data directory unusable)");
        }
        ctx.term = leader.term();
        ctx.upstream = leader.member();
        rejoining.reclone(leader, "the data directory a failed pg_rewind left unusable is replaced");
        return startAsReplica(cluster.spec(), me, leader);
    }

    CycleOutcome startAsReplica(ClusterSpec spec, MemberSpec me, LeaderRecord leader) throws IOException {
        ctx.local.configure(spec, me, leader, Set.of());
        ctx.pg.data().setStandby(true);
        ctx.lease.clear();
        ctx.progress(MemberState.STARTING_REPLICA, "starting as a replica of " + leader.member());
        logOffsetAtStart = dev.pgfly.postgres.PostgresLog.size(ctx.pg.logFile());
        pastRetentionGrace.reset();
        ctx.pg.start(HaContext.START_TIMEOUT);
        streamingGrace.reset();
        unansweredGrace.reset();
        ctx.local.sql().reset();
        return CycleOutcome.running();
    }
}
