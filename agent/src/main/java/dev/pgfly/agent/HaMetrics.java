package dev.pgfly.agent;

import dev.pgfly.agent.ha.HaObserver;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The HA loop's own metrics: counters of failovers, switchovers and every recorded event, the
 * duration of HA cycles, and when the coordination store last took this member's status. Counters
 * start at zero with each agent process, as Prometheus counters do; use increase() across members.
 */
final class HaMetrics implements HaObserver {
    private final Counter failovers;
    private final Counter switchovers;
    private final Counter events;
    private final Histogram cycleDuration;
    private final AtomicLong lastStoreContactMillis = new AtomicLong(System.currentTimeMillis());

    HaMetrics(PrometheusRegistry registry) {
        failovers = Counter.builder().name("pgfly_failovers_total")
                .help("Failovers this member won: elected primary after the former one was lost").register(registry);
        switchovers = Counter.builder().name("pgfly_switchovers_total")
                .help("Planned switchovers that made this member the primary").register(registry);
        events = Counter.builder().name("pgfly_events_total")
                .help("Events this member recorded in the cluster history, by kind").labelNames("kind").register(registry);
        cycleDuration = Histogram.builder().name("pgfly_ha_loop_duration_seconds")
                .help("Duration of one HA loop cycle (look at the store and PostgreSQL, act, publish)")
                .classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
                .register(registry);
    }

    @Override
    public void cycleTook(long nanos) {
        cycleDuration.observe(nanos / 1e9);
    }

    @Override
    public void storeContacted() {
        lastStoreContactMillis.set(System.currentTimeMillis());
    }

    @Override
    public void eventRecorded(String kind) {
        events.labelValues(kind).inc();
        switch (kind) {
            case "failover" -> failovers.inc();
            case "switchover" -> switchovers.inc();
            default -> {
                // only counted by kind
            }
        }
    }

    double secondsSinceStoreContact() {
        return Math.max(0, System.currentTimeMillis() - lastStoreContactMillis.get()) / 1000.0;
    }
}
