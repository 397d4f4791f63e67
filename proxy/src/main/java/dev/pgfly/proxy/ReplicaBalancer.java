package dev.pgfly.proxy;

import dev.pgfly.core.model.MemberStatus;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The replica port's memory for {@link ReplicaChoice}: how many connections this proxy has open to
 * each replica, counted from the moment one is chosen (so that a burst of clients arriving together
 * spreads too) until its connection ends, and which replica was picked last.
 */
final class ReplicaBalancer {
    private final Map<String, Integer> open = new HashMap<>();
    private String lastPicked;

    /** Chooses a replica and counts a connection to it; the caller must {@link #release} it once. */
    synchronized Optional<MemberStatus> acquire(List<MemberStatus> healthy, String region) {
        Optional<MemberStatus> chosen = ReplicaChoice.choose(healthy, region, open, lastPicked);
        chosen.ifPresent(m -> {
            open.merge(m.name(), 1, Integer::sum);
            lastPicked = m.name();
        });
        return chosen;
    }

    /** A connection counted by {@link #acquire} ended (or never got through). */
    synchronized void release(String member) {
        open.computeIfPresent(member, (name, n) -> n > 1 ? n - 1 : null);
    }

    synchronized int open(String member) {
        return open.getOrDefault(member, 0);
    }
}
