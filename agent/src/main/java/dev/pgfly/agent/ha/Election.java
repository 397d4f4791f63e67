package dev.pgfly.agent.ha;

import dev.pgfly.core.ha.Candidate;
import dev.pgfly.core.ha.ClusterSnapshot;
import dev.pgfly.core.ha.CycleOutcome;
import dev.pgfly.core.ha.ElectionInput;
import dev.pgfly.core.ha.ElectionResult;
import dev.pgfly.core.ha.FailoverPolicy;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.postgres.PgProbe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Nobody leads. This member comes up as a standby (never writable without leadership: S1), asks every
 * peer where it stands, and takes the leader node only when {@link FailoverPolicy} names it (S2).
 */
final class Election {
    private static final Duration SWITCHOVER_REQUEST_TTL = Duration.ofSeconds(60);

    private final HaContext ctx;
    private final Demotion demotion;
    private final Leading leading;
    /** The last reason this member was refused: recorded as an event once, not every cycle. */
    private String lastRefusal;

    Election(HaContext ctx, Demotion demotion, Leading leading) {
        this.ctx = ctx;
        this.demotion = demotion;
        this.leading = leading;
    }

    /** A leader exists again: the next refusal, whatever it says, is news. */
    void forgetLastRefusal() {
        lastRefusal = null;
    }

    CycleOutcome elect(ClusterSnapshot cluster, MemberSpec me) throws Exception {
        ClusterSpec spec = cluster.spec();
        ctx.lease.stopLeading();
        ctx.upstream = null;
        if (!ctx.pg.isRunning()) {
            // Never writable without leadership: come up as a standby to report a WAL position.
            if (!ctx.pg.data().isStandbyConfigured()) {
                ctx.marks.markFormerPrimary();
            }
            ctx.local.configure(spec, me, null, Set.of());
            ctx.pg.data().setStandby(true);
            ctx.lease.clear();
            ctx.progress(MemberState.LEADERLESS, "starting as a standby: nobody leads");
            ctx.pg.start(HaContext.START_TIMEOUT);
            ctx.local.sql().reset();
        }
        Optional<PgProbe> probe = ctx.local.probe();
        if (demotion.demoteIfWritable(Demotion.Mode.BEFORE_ELECTION, probe,
                "nobody leads; stopped this writable former primary before an election")) {
            return ctx.published(); // DEMOTING, as the mode publishes it
        }
        ctx.lease.clear();
        String former = cluster.lastLeader();
        List<Candidate> candidates = candidates(spec, me, probe, cluster);
        String switchoverTarget = cluster.switchoverRequest()
                .filter(r -> r.to() != null && System.currentTimeMillis() - r.requestedAt() < SWITCHOVER_REQUEST_TTL.toMillis())
                .map(SwitchoverRequest::to).orElse(null);
        ElectionResult decision = FailoverPolicy.decide(new ElectionInput(me.name(), spec.primaryRegion(),
                candidates, former, ctx.lastKnownPrimaryPosition, spec.synchronous(), cluster.syncSet(),
                spec.maxLagBytes(), switchoverTarget));
        if (!decision.promote()) {
            if (!decision.reason().equals(lastRefusal)) {
                lastRefusal = decision.reason();
                ctx.event("failover-wait", decision.reason());
            }
            return CycleOutcome.of(MemberState.LEADERLESS, decision.reason());
        }
        // The leader node is created atomically: only one member can win, whatever its snapshot said.
        OptionalLong acquired = ctx.store.tryAcquireLeadership(me.name(), me.host(), me.pgPort());
        if (acquired.isEmpty()) {
            return CycleOutcome.of(MemberState.LOST_ELECTION, "another member won the election");
        }
        ctx.term = acquired.getAsLong();
        lastRefusal = null;
        ctx.event(switchoverTarget != null ? "switchover-promote" : "failover",
                "elected for term " + ctx.term + " (former primary " + former + "): " + decision.reason());
        // Read again, after this cycle's own write: the node just created, with its term.
        return leading.lead(cluster, me, ctx.store.leader().orElseThrow());
    }

    /**
     * This member from its own probe, every other one from its agent's status as it answers now; whether its
     * session is live from the store's member nodes (ephemeral: they go with the session).
     */
    private List<Candidate> candidates(ClusterSpec spec, MemberSpec me, Optional<PgProbe> probe, ClusterSnapshot cluster) {
        Set<String> inStore = new java.util.HashSet<>();
        cluster.members().forEach(s -> inStore.add(s.name()));
        List<Candidate> candidates = new ArrayList<>();
        for (MemberSpec m : spec.members()) {
            if (m.name().equals(me.name())) {
                candidates.add(new Candidate(m.name(), m.region(), m.noFailover(), m.priority(), true,
                        probe.isPresent(), probe.map(PgProbe::walPosition).orElse(0L),
                        probe.map(PgProbe::timeline).orElse(0), true));
            } else {
                Optional<MemberStatus> s = ctx.peers.status(m);
                candidates.add(new Candidate(m.name(), m.region(), m.noFailover(), m.priority(), s.isPresent(),
                        s.map(st -> st.role() == Role.REPLICA && st.postgresPid() > 0).orElse(false),
                        s.map(MemberStatus::walPosition).orElse(0L), s.map(MemberStatus::timeline).orElse(0),
                        inStore.contains(m.name())));
            }
        }
        return candidates;
    }
}
