package dev.pgfly.agent.ha;

import dev.pgfly.core.ha.Candidate;
import dev.pgfly.core.ha.ElectionInput;
import dev.pgfly.core.ha.ElectionResult;
import dev.pgfly.core.ha.FailoverPolicy;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.core.model.SyncState;
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

    void elect(ClusterSpec spec, MemberSpec me) throws Exception {
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
            ctx.enter(MemberState.LEADERLESS, "starting as a standby: nobody leads");
            ctx.pg.start(HaContext.START_TIMEOUT);
            ctx.local.sql().reset();
        }
        Optional<PgProbe> probe = ctx.local.probe();
        if (demotion.demoteIfWritable(Demotion.Mode.BEFORE_ELECTION, probe,
                "nobody leads; stopped this writable former primary before an election")) {
            return;
        }
        ctx.lease.clear();
        String former = ctx.store.lastLeader().orElse(null);
        List<Candidate> candidates = candidates(spec, me, probe);
        String switchoverTarget = ctx.store.switchover()
                .filter(r -> r.to() != null && System.currentTimeMillis() - r.requestedAt() < SWITCHOVER_REQUEST_TTL.toMillis())
                .map(SwitchoverRequest::to).orElse(null);
        Set<String> syncSet = ctx.store.syncState().map(SyncState::standbys).orElse(Set.of());
        ElectionResult decision = FailoverPolicy.decide(new ElectionInput(me.name(), spec.primaryRegion(),
                candidates, former, ctx.lastKnownPrimaryPosition, spec.synchronous(), syncSet,
                spec.maxLagBytes(), switchoverTarget));
        if (!decision.promote()) {
            ctx.enter(MemberState.LEADERLESS, decision.reason());
            if (!decision.reason().equals(lastRefusal)) {
                lastRefusal = decision.reason();
                ctx.event("failover-wait", decision.reason());
            }
            return;
        }
        OptionalLong acquired = ctx.store.tryAcquireLeadership(me.name(), me.host(), me.pgPort());
        if (acquired.isEmpty()) {
            ctx.enter(MemberState.LOST_ELECTION, "another member won the election");
            return;
        }
        ctx.term = acquired.getAsLong();
        lastRefusal = null;
        ctx.event(switchoverTarget != null ? "switchover-promote" : "failover",
                "elected for term " + ctx.term + " (former primary " + former + "): " + decision.reason());
        leading.lead(spec, me, ctx.store.leader().orElseThrow());
    }

    /** This member from its own probe, every other one from its agent's status as it answers now. */
    private List<Candidate> candidates(ClusterSpec spec, MemberSpec me, Optional<PgProbe> probe) {
        List<Candidate> candidates = new ArrayList<>();
        for (MemberSpec m : spec.members()) {
            if (m.name().equals(me.name())) {
                candidates.add(new Candidate(m.name(), m.region(), m.noFailover(), m.priority(), true,
                        probe.isPresent(), probe.map(PgProbe::walPosition).orElse(0L)));
            } else {
                Optional<MemberStatus> s = ctx.peers.status(m);
                candidates.add(new Candidate(m.name(), m.region(), m.noFailover(), m.priority(), s.isPresent(),
                        s.map(st -> st.role() == Role.REPLICA && st.postgresPid() > 0).orElse(false),
                        s.map(MemberStatus::walPosition).orElse(0L)));
            }
        }
        return candidates;
    }
}
