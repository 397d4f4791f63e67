package dev.pgfly.core.ha;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.Lsn;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which member a switchover would promote now, and why each other member may not: a pure function, the one
 * the primary's agent itself runs to pick the target of a switchover without {@code --to} ({@code Switchover}),
 * so that {@code pgfly failover --dry-run} can never disagree with it. The rules are
 * {@link FailoverPolicy#switchoverIneligibility} (primary region, {@code nofailover} tag, and the one
 * healthy-replica rule of {@link MemberStatus#replicaProblem}: role, state, streaming, timeline, lag), and
 * among fit members {@link FailoverPolicy#BEST_FIRST} (WAL position, then priority, then name).
 *
 * @param primary   the member that leads now
 * @param candidate the member that would be promoted, or null when none is fit
 * @param summary   one sentence for people
 * @param members   every member of the configuration, the primary first, then best first
 */
public record FailoverPlan(String primary, String candidate, String summary, List<Verdict> members) {

    /**
     * One member's place in the plan.
     *
     * @param fit    whether it could take over now
     * @param reason why it is the candidate, why another is preferred, or why it is unfit
     */
    public record Verdict(String name, String role, boolean fit, String reason, String region, int priority,
                          boolean noFailover, String wal, long lagBytes, int timeline) {
    }

    public FailoverPlan {
        members = List.copyOf(members);
    }

    public Optional<String> candidateName() {
        return Optional.ofNullable(candidate);
    }

    /**
     * @param leader         the member that leads now
     * @param leaderTimeline the primary's timeline (0: not known)
     * @param statusOf       each member's status as its agent answers now; null when it does not answer
     * @param to             a target the user names (null: the best fit replica)
     */
    public static FailoverPlan explain(ClusterSpec spec, String leader, int leaderTimeline,
                                       Function<String, MemberStatus> statusOf, String to) {
        Map<String, MemberStatus> statuses = new java.util.HashMap<>();
        List<MemberSpec> fit = new ArrayList<>();
        Map<String, String> unfit = new java.util.HashMap<>();
        for (MemberSpec m : spec.members()) {
            MemberStatus s = statusOf.apply(m.name());
            if (s != null) {
                statuses.put(m.name(), s);
            }
            if (m.name().equals(leader)) {
                continue;
            }
            Optional<String> problem = FailoverPolicy.switchoverIneligibility(m, s, spec.primaryRegion(),
                    spec.maxLagBytes(), leaderTimeline);
            if (problem.isPresent()) {
                unfit.put(m.name(), problem.get());
            } else {
                fit.add(m);
            }
        }
        Comparator<MemberSpec> bestFirst = Comparator.comparing(m -> candidate(m, statuses.get(m.name())),
                FailoverPolicy.BEST_FIRST);
        fit.sort(bestFirst);
        String chosen;
        String summary;
        if (to != null) {
            chosen = fit.stream().anyMatch(m -> m.name().equals(to)) ? to : null;
            summary = chosen != null ? to + " would be promoted: named by --to, and fit"
                    : spec.member(to).isEmpty() ? "no member " + to
                    : to.equals(leader) ? to + " is already the primary"
                    : "no promotion: " + unfit.get(to);
        } else {
            chosen = fit.isEmpty() ? null : fit.getFirst().name();
            summary = chosen != null ? chosen + " would be promoted: the most advanced fit replica"
                    : "no member could take over now";
        }
        List<Verdict> verdicts = new ArrayList<>();
        spec.member(leader).ifPresent(m -> verdicts.add(verdict(m, statuses.get(m.name()), false, "is the primary")));
        MemberStatus best = chosen == null ? null : statuses.get(chosen);
        for (MemberSpec m : fit) {
            MemberStatus s = statuses.get(m.name());
            String reason = m.name().equals(chosen) ? (to != null ? "named by --to" : "the most advanced fit replica")
                    : chosen == null ? "fit"
                    : to != null ? "fit, but " + chosen + " is named by --to"
                    : "fit, but " + chosen + " is preferred (" + preference(best, s, spec.member(chosen).orElseThrow(), m) + ")";
            verdicts.add(verdict(m, s, true, reason));
        }
        spec.members().stream().filter(m -> unfit.containsKey(m.name()))
                .forEach(m -> verdicts.add(verdict(m, statuses.get(m.name()), false, unfit.get(m.name()))));
        return new FailoverPlan(leader, chosen, summary, verdicts);
    }

    /** The member as {@link FailoverPolicy#BEST_FIRST} compares it: fit members only, so reachable and healthy. */
    private static Candidate candidate(MemberSpec m, MemberStatus s) {
        return new Candidate(m.name(), m.region(), m.noFailover(), m.priority(), true, true,
                s == null ? 0 : s.walPosition());
    }

    /** Why {@code best} comes before {@code other} in {@link FailoverPolicy#BEST_FIRST}. */
    private static String preference(MemberStatus best, MemberStatus other, MemberSpec bestSpec, MemberSpec otherSpec) {
        if (best.walPosition() != other.walPosition()) {
            return "WAL " + Lsn.format(best.walPosition()) + " vs " + Lsn.format(other.walPosition());
        }
        if (bestSpec.priority() != otherSpec.priority()) {
            return "same WAL, priority " + bestSpec.priority() + " vs " + otherSpec.priority();
        }
        return "same WAL and priority, first by name";
    }

    private static Verdict verdict(MemberSpec m, MemberStatus s, boolean fit, String reason) {
        return new Verdict(m.name(), s == null || s.role() == null ? "unknown" : s.role().label(), fit, reason,
                m.region(), m.priority(), m.noFailover(), s == null ? null : Lsn.format(s.walPosition()),
                s == null ? 0 : s.lagBytes(), s == null ? 0 : s.timeline());
    }
}
