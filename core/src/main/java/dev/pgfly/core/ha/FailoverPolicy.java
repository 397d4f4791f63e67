package dev.pgfly.core.ha;

import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides, as a pure function of the cluster state, whether a member may take over a leaderless
 * cluster. Every member runs the same function on (nearly) the same input, so at most one of them
 * finds itself best; the atomic leader node in the coordination store settles any remaining race.
 *
 * <p>Rules (S2, docs/ha-state-machine.md): the candidate must be eligible (in the primary region, without
 * a {@code nofailover} tag, healthy); with synchronous replication it must belong to the recorded
 * synchronous set and every other set member must be reachable, so that the most advanced of them is
 * known; without it, it must not lag the former primary by more than the configured maximum. Among
 * eligible members the newest timeline wins, then the most advanced WAL position, then the highest priority,
 * then the name (a WAL position on an older timeline may lie past the point where the newer one forked off:
 * it is not "more" history, it is another one).
 *
 * <p>The former primary is not a rival (a former primary cut off from the store must not block a failover it
 * cannot win, and one that restarted must not start a needless contest), with one exception: when it alone
 * holds the newest timeline and its session is live. It was promoted and the others never followed (a
 * whole-cluster stop right after a promotion): promoting another member would start a second, different
 * history under the same timeline number, so it leads again.
 */
public final class FailoverPolicy {

    /** Orders candidates best first. */
    public static final Comparator<Candidate> BEST_FIRST = Comparator
            .comparingInt(Candidate::timeline).reversed()
            .thenComparing(Comparator.comparingLong(Candidate::walPosition).reversed())
            .thenComparing(Comparator.comparingInt(Candidate::priority).reversed())
            .thenComparing(Candidate::name);

    private FailoverPolicy() {
    }

    /**
     * Why {@code c} may not be promoted by a failover, empty when it may. Healthy here means PostgreSQL runs
     * as a standby: with the primary gone no replica streams, so the healthy-replica rule of
     * {@link MemberStatus#replicaProblem} cannot apply; the WAL positions compared in {@link #decide} do.
     */
    public static Optional<String> ineligibility(Candidate c, String primaryRegion) {
        Optional<String> placement = placement(c.name(), c.noFailover(), c.region(), primaryRegion);
        if (placement.isPresent()) {
            return placement;
        }
        if (!c.reachable()) {
            return Optional.of(c.name() + " is unreachable");
        }
        if (!c.inStore()) {
            return Optional.of(c.name() + " has no live session in the store");
        }
        if (!c.healthy()) {
            return Optional.of(c.name() + " is not healthy");
        }
        return Optional.empty();
    }

    /**
     * Why {@code target} may not take over in a planned switchover (S5), empty when it may: the placement
     * any promotion needs (primary region, no {@code nofailover} tag), and the one healthy-replica rule
     * ({@link MemberStatus#replicaProblem}) on the status its agent answers with now. The primary is alive
     * in a switchover, so a fit target streams from it on its timeline and lags by at most the cluster's
     * maximum: the primary stops writes before the target has its shutdown checkpoint, and a target that
     * cannot catch up holds them stopped until the hand-over gives up.
     *
     * @param status         the target's status as its agent answers it now; null when it does not answer
     * @param leaderTimeline the primary's timeline (0: not known)
     */
    public static Optional<String> switchoverIneligibility(MemberSpec target, MemberStatus status, String primaryRegion,
                                                           long maxLagBytes, int leaderTimeline) {
        Optional<String> placement = placement(target.name(), target.noFailover(), target.region(), primaryRegion);
        if (placement.isPresent()) {
            return placement;
        }
        if (status == null) {
            return Optional.of(target.name() + " does not answer");
        }
        return status.replicaProblem(maxLagBytes, leaderTimeline).map(problem -> target.name() + " " + problem);
    }

    /** Where a member may never lead: a {@code nofailover} tag, or outside the primary region. */
    private static Optional<String> placement(String name, boolean noFailover, String region, String primaryRegion) {
        if (noFailover) {
            return Optional.of(name + " is tagged nofailover");
        }
        if (primaryRegion != null && !primaryRegion.equals(region)) {
            return Optional.of(name + " is outside the primary region " + primaryRegion);
        }
        return Optional.empty();
    }

    /**
     * The former primary when it could lead now and is on a newer timeline than every other member that
     * answers; empty otherwise (also when the timelines are not known).
     */
    private static Optional<Candidate> formerPrimaryAloneOnTheNewestTimeline(ElectionInput in) {
        Optional<Candidate> former = in.members().stream().filter(c -> c.name().equals(in.formerPrimary())).findFirst();
        // Ineligible also covers unreachable, unhealthy and without a live session: it could not lead now.
        if (former.isEmpty() || former.get().timeline() <= 0 || ineligibility(former.get(), in.primaryRegion()).isPresent()) {
            return Optional.empty();
        }
        int others = in.members().stream()
                .filter(c -> !c.name().equals(in.formerPrimary()) && c.reachable() && c.healthy())
                .mapToInt(Candidate::timeline).max().orElse(0);
        return former.get().timeline() > others ? former : Optional.empty();
    }

    public static ElectionResult decide(ElectionInput in) {
        Candidate self = in.members().stream().filter(c -> c.name().equals(in.self())).findFirst().orElse(null);
        if (self == null) {
            return ElectionResult.waitBecause(in.self() + " is not a member of the cluster configuration");
        }
        Optional<String> notEligible = ineligibility(self, in.primaryRegion());
        if (notEligible.isPresent()) {
            return ElectionResult.waitBecause(notEligible.get());
        }
        if (in.switchoverTarget() != null) {
            return in.switchoverTarget().equals(in.self())
                    ? ElectionResult.promote("chosen by the switchover")
                    : ElectionResult.waitBecause("switchover to " + in.switchoverTarget() + " in progress");
        }
        Optional<Candidate> aloneOnNewest = formerPrimaryAloneOnTheNewestTimeline(in);
        if (aloneOnNewest.isPresent()) {
            Candidate former = aloneOnNewest.get();
            return former.name().equals(in.self())
                    ? ElectionResult.promote(in.self() + " alone holds timeline " + former.timeline())
                    : ElectionResult.waitBecause("the former primary " + former.name() + " alone holds timeline "
                    + former.timeline() + " (" + in.self() + " is on " + self.timeline() + "): it leads again");
        }
        List<Candidate> rivals;
        if (in.synchronous()) {
            // Any member of the set may hold the newest acknowledged commit: all must be compared.
            // The former primary holds every commit it acknowledged, so it is as safe as a set member.
            if (!in.syncSet().contains(in.self()) && !in.self().equals(in.formerPrimary())) {
                return ElectionResult.waitBecause(in.self() + " is not in the synchronous set " + in.syncSet()
                        + " and may lack acknowledged transactions");
            }
            rivals = in.members().stream()
                    .filter(c -> in.syncSet().contains(c.name()) && !c.name().equals(in.formerPrimary()))
                    .toList();
            Optional<Candidate> unknown = rivals.stream().filter(c -> !c.reachable() || !c.healthy()).findFirst();
            if (unknown.isPresent()) {
                return ElectionResult.waitBecause("synchronous standby " + unknown.get().name()
                        + " is unreachable or down; its WAL position must be known before promoting");
            }
        } else {
            long lag = in.lastPrimaryPosition() - self.walPosition();
            if (in.lastPrimaryPosition() > 0 && lag > in.maxLagBytes()) {
                return ElectionResult.waitBecause(in.self() + " lags the former primary by " + lag
                        + " bytes, more than the maximum of " + in.maxLagBytes());
            }
            // A rival that may not promote because of its own lag must not block the others either.
            rivals = in.members().stream()
                    .filter(c -> !c.name().equals(in.formerPrimary()))
                    .filter(c -> ineligibility(c, in.primaryRegion()).isEmpty())
                    .filter(c -> in.lastPrimaryPosition() <= 0
                            || in.lastPrimaryPosition() - c.walPosition() <= in.maxLagBytes())
                    .toList();
        }
        Candidate best = rivals.stream()
                .filter(c -> c.reachable() && c.healthy())
                .min(BEST_FIRST)
                .orElse(self);
        if (best.name().equals(in.self())) {
            return ElectionResult.promote(in.self() + " is the most advanced eligible member");
        }
        // A rival at the same position only wins on priority or name: say which.
        String why = best.timeline() != self.timeline()
                ? "timeline " + best.timeline() + " vs " + self.timeline()
                : "WAL " + best.walPosition() + " vs " + self.walPosition();
        return ElectionResult.waitBecause(best.name() + " is a better candidate (" + why + ")");
    }
}
