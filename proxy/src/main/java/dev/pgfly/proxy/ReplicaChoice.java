package dev.pgfly.proxy;

import dev.pgfly.core.model.MemberStatus;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which healthy replica a new client of the replica port goes to: a pure decision.
 * <ol>
 *   <li>Only the replicas of the proxy's own region when it has any; else every healthy replica (a
 *       region without replicas reads from the nearest tier there is, as before).</li>
 *   <li>Among those, the one with the fewest connections open through this proxy (least connections):
 *       PostgreSQL sessions last from a second (psql) to hours (a pool), so counting arrivals, as
 *       round-robin does, lets the load drift apart; counting what is open now evens it out.</li>
 *   <li>Ties go round-robin: to the first replica by name after the one picked last, wrapping around.
 *       A run of short connections, each closed before the next opens, finds every count at zero and
 *       would otherwise always go to the same replica.</li>
 * </ol>
 * Every candidate is already within the lag bound ({@link MemberStatus#isHealthyReplica}), so lag no
 * longer orders them.
 */
final class ReplicaChoice {
    private ReplicaChoice() {
    }

    /**
     * @param healthy    the healthy replicas, in any order
     * @param region     the proxy's region, or null when it has none (then every replica is local)
     * @param open       connections open through this proxy, by member name; absent means none
     * @param lastPicked the member picked last, or null
     */
    static Optional<MemberStatus> choose(List<MemberStatus> healthy, String region, Map<String, Integer> open,
                                         String lastPicked) {
        List<MemberStatus> local = healthy.stream().filter(m -> region == null || region.equals(m.region())).toList();
        List<MemberStatus> tier = local.isEmpty() ? healthy : local;
        int fewest = tier.stream().mapToInt(m -> open.getOrDefault(m.name(), 0)).min().orElse(0);
        List<MemberStatus> tied = tier.stream()
                .filter(m -> open.getOrDefault(m.name(), 0) == fewest)
                .sorted(Comparator.comparing(MemberStatus::name))
                .toList();
        if (tied.isEmpty()) {
            return Optional.empty();
        }
        return tied.stream()
                .filter(m -> lastPicked != null && m.name().compareTo(lastPicked) > 0)
                .findFirst()
                .or(() -> Optional.of(tied.getFirst()));
    }
}
