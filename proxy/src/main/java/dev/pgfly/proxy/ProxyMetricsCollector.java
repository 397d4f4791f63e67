package dev.pgfly.proxy;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The proxy's counters ({@link ProxyMetrics}, plain atomics on the hot path) read into Prometheus
 * snapshots at scrape time. Counter names get their {@code _total} suffix from the text format writer.
 */
public final class ProxyMetricsCollector implements MultiCollector {
    private final ProxyMetrics m;
    private final Labels primary;
    private final Labels replica;

    public ProxyMetricsCollector(ProxyMetrics metrics, ProxyConfig config) {
        this.m = metrics;
        this.primary = Labels.of("listener", "primary", "port", Integer.toString(config.primaryPort()));
        this.replica = Labels.of("listener", "replica", "port", Integer.toString(config.replicaPort()));
    }

    @Override
    public MetricSnapshots collect() {
        return MetricSnapshots.of(
                GaugeSnapshot.builder().name("pgfly_proxy_connections_open")
                        .help("Client connections open now, per listening port")
                        .dataPoint(gauge(primary, m.primaryOpen()))
                        .dataPoint(gauge(replica, m.replicaOpen()))
                        .build(),
                CounterSnapshot.builder().name("pgfly_proxy_connections")
                        .help("Client connections accepted, per listening port")
                        .dataPoint(counter(primary, m.primaryTotal()))
                        .dataPoint(counter(replica, m.replicaTotal()))
                        .build(),
                CounterSnapshot.builder().name("pgfly_proxy_bytes")
                        .help("Bytes piped, by direction")
                        .dataPoint(counter(Labels.of("direction", "to_server"), m.bytesToServer()))
                        .dataPoint(counter(Labels.of("direction", "to_client"), m.bytesToClient()))
                        .build(),
                counter("pgfly_proxy_connections_refused", "Client connections refused: no server to route to",
                        m.refused()),
                counter("pgfly_proxy_connections_held",
                        "Client connections held while no primary existed (then routed or refused)", m.held()),
                counter("pgfly_proxy_connections_closed_on_term_change",
                        "Connections to a former primary closed because a newer term began", m.closedOnTermChange()),
                counter("pgfly_proxy_route_changes", "Changes of the primary port's routing target", m.routeChanges()),
                counter("pgfly_proxy_wakeups", "Stopped members woken up by an arriving client", m.wakeUps()),
                counter("pgfly_proxy_connections_over_cap",
                        "Client connections refused because a connection cap was reached", m.overCap()),
                counter("pgfly_proxy_connections_evicted",
                        "Client connections closed before their startup packet to make room for newer ones",
                        m.evictedSilent()),
                counter("pgfly_proxy_startup_timeouts",
                        "Client connections closed for sending no startup packet in time", m.startupTimeouts()),
                counter("pgfly_proxy_accept_failures", "Failed accepts (e.g. out of descriptors)",
                        m.acceptFailures()));
    }

    private static GaugeDataPointSnapshot gauge(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterDataPointSnapshot counter(Labels labels, double value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterSnapshot counter(String name, String help, double value) {
        return CounterSnapshot.builder().name(name).help(help).dataPoint(counter(Labels.EMPTY, value)).build();
    }
}
