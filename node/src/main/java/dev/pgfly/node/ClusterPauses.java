package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.ha.ClusterSnapshot;
import dev.pgfly.core.ha.FailoverPlan;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.PauseState;

import java.time.Duration;

/**
 * Maintenance mode and the failover explanation, as the daemon serves them: {@code POST pause}, {@code POST
 * resume}, {@code GET pause} write and read the cluster's {@code pause} node (the agents honour it, see
 * {@code CycleDecision}); {@code GET failover-plan} runs the same pure {@link FailoverPlan} the primary's agent
 * runs to choose a switchover's target, on the statuses the agents published.
 */
final class ClusterPauses {
    /** The longest pause with an end: a week. A longer one is "until resumed", said so. */
    static final Duration LONGEST = Duration.ofDays(7);

    /**
     * What {@code pause}, {@code resume} and {@code GET pause} answer.
     *
     * @param until 0 with {@code paused}: until {@code pgfly resume}
     */
    record PauseView(String cluster, boolean paused, long since, long until, String text) {
        static PauseView of(String cluster, PauseState p, long now) {
            PauseState active = PauseState.activeOrNull(p, now);
            return active == null ? new PauseView(cluster, false, 0, 0, "not paused")
                    : new PauseView(cluster, true, active.since(), active.until(), "paused " + active.untilText());
        }
    }

    private final ClusterRecords records;
    private final ClusterStores stores;

    ClusterPauses(ClusterRecords records, ClusterStores stores) {
        this.records = records;
        this.stores = stores;
    }

    /** @param forSeconds how long, in whole seconds; null: until resumed */
    PauseView pause(String name, String forSeconds) {
        records.load(name);
        Duration length = parseLength(forSeconds);
        long now = System.currentTimeMillis();
        PauseState pause = new PauseState(now, length == null ? 0 : now + length.toMillis());
        try (ClusterStore store = stores.open(name)) {
            store.putPause(pause);
            store.recordEvent(new Event(now, "pause", null, store.currentTerm(), "paused " + pause.untilText()
                    + ": no member is promoted, demoted, rewound or re-cloned"));
        }
        return PauseView.of(name, pause, now);
    }

    PauseView resume(String name) {
        records.load(name);
        try (ClusterStore store = stores.open(name)) {
            boolean was = store.pause().map(p -> p.activeAt(System.currentTimeMillis())).orElse(false);
            store.clearPause();
            if (was) {
                store.recordEvent(new Event(System.currentTimeMillis(), "resume", null, store.currentTerm(),
                        "resumed: failover and recovery are automatic again"));
            }
        }
        return new PauseView(name, false, 0, 0, "not paused");
    }

    PauseView state(String name) {
        records.load(name);
        try (ClusterStore store = stores.open(name)) {
            return PauseView.of(name, store.pause().orElse(null), System.currentTimeMillis());
        }
    }

    /** Which member a switchover would promote now, and why each other member is unfit. */
    FailoverPlan failoverPlan(String name, String to) {
        records.load(name);
        try (ClusterStore store = stores.open(name)) {
            ClusterSnapshot cluster = ClusterSnapshot.read(store);
            if (cluster.spec() == null) {
                throw new IllegalStateException("cluster '" + name + "' has no configuration in the store");
            }
            if (to != null && cluster.spec().member(to).isEmpty()) {
                throw new IllegalArgumentException("cluster '" + name + "' has no member '" + to + "'");
            }
            if (cluster.leader() == null) {
                throw new IllegalStateException("cluster '" + name + "' has no primary right now");
            }
            return FailoverPlan.explain(cluster.spec(), cluster.leader().member(), cluster.leaderTimeline(),
                    m -> cluster.member(m).orElse(null), to);
        }
    }

    static Duration parseLength(String seconds) {
        if (seconds == null) {
            return null;
        }
        long s;
        try {
            s = Long.parseLong(seconds);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("for_seconds must be a whole number of seconds, not '" + seconds + "'");
        }
        if (s < 1 || s > LONGEST.toSeconds()) {
            throw new IllegalArgumentException("a pause lasts from 1 s to " + LONGEST.toDays() + " days; for longer, pause without --for");
        }
        return Duration.ofSeconds(s);
    }
}
