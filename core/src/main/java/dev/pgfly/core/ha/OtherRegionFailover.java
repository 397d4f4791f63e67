package dev.pgfly.core.ha;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;

import java.util.Optional;
import java.util.function.Function;

/**
 * Disaster recovery outside the primary region ({@code pgfly failover NAME --to M --allow-other-region}, after
 * Fly's {@code --allow-secondary-region}): whether an operator may move the primary region to M's region and have M
 * promoted. A pure function of what the store says, so it is tested without processes.
 *
 * <p>Agents never promote outside the primary region by themselves (S2): a region cut off would otherwise elect a
 * second primary. So only while the primary region has nobody fit to lead, neither a primary nor a replica the
 * failover policy would accept ({@link FailoverPolicy#ineligibility}), may a person move it. The target must itself
 * be a running standby with no {@code nofailover} tag. What the primary region committed beyond the target's WAL is
 * lost: the verdict says up to where the target had replayed.
 */
public final class OtherRegionFailover {

    /** The answer: {@link Refused} with the reason, or {@link Allowed} with the region that becomes primary. */
    public sealed interface Verdict permits Refused, Allowed {
    }

    public record Refused(String reason) implements Verdict {
    }

    /** @param targetWal the WAL position the target had replayed: what survives of the former primary's work */
    public record Allowed(String region, long targetWal) implements Verdict {
    }

    private OtherRegionFailover() {
    }

    /**
     * @param leader   the member holding the leader node now, or null when nobody leads
     * @param statusOf each member's published status (null: its agent is not in the store, so it is gone or cut off)
     */
    public static Verdict decide(ClusterSpec spec, String leader, Function<String, MemberStatus> statusOf, String target) {
        MemberSpec to = spec.member(target).orElseThrow(() ->
                new IllegalArgumentException("cluster '" + spec.name() + "' has no member '" + target + "'"));
        String primaryRegion = spec.primaryRegion();
        if (primaryRegion == null || primaryRegion.equals(to.region())) {
            return new Refused(target + " is in the primary region " + primaryRegion
                    + ": fail over to it without --allow-other-region");
        }
        if (leader != null) {
            return new Refused("the primary region " + primaryRegion + " has a fit candidate: " + leader
                    + " is the primary");
        }
        for (MemberSpec m : spec.members()) {
            if (!primaryRegion.equals(m.region())) {
                continue;
            }
            if (FailoverPolicy.ineligibility(candidate(m, statusOf.apply(m.name())), primaryRegion).isEmpty()) {
                return new Refused("the primary region " + primaryRegion + " has a fit candidate: " + m.name()
                        + " (its agent promotes it once it is known to be the most advanced)");
            }
        }
        Optional<String> unfit = FailoverPolicy.ineligibility(candidate(to, statusOf.apply(target)), to.region());
        if (unfit.isPresent()) {
            return new Refused("cannot promote " + target + ": " + unfit.get());
        }
        return new Allowed(to.region(), statusOf.apply(target).walPosition());
    }

    /** A member as the failover policy sees it: reachable when its agent publishes, healthy when it runs as a standby. */
    private static Candidate candidate(MemberSpec m, MemberStatus s) {
        return new Candidate(m.name(), m.region(), m.noFailover(), m.priority(), s != null,
                s != null && s.role() == Role.REPLICA && s.postgresPid() > 0, s == null ? 0 : s.walPosition());
    }
}
