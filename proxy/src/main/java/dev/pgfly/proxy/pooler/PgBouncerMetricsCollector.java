package dev.pgfly.proxy.pooler;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PgBouncer's {@code SHOW POOLS} and {@code SHOW STATS} as Prometheus metrics on the proxy's endpoint, under
 * pgbouncer_exporter's names (so that its dashboards and alerts apply): read from the console at scrape time.
 */
public final class PgBouncerMetricsCollector implements MultiCollector {
    /** SHOW POOLS column → gauge (pgbouncer_pools_...). */
    private static final Map<String, String> POOLS = Map.of(
            "cl_active", "client_active_connections",
            "cl_waiting", "client_waiting_connections",
            "sv_active", "server_active_connections",
            "sv_idle", "server_idle_connections",
            "sv_used", "server_used_connections",
            "sv_tested", "server_testing_connections",
            "sv_login", "server_login_connections",
            "maxwait", "client_maxwait_seconds");
    /** SHOW STATS column → counter (pgbouncer_stats_..., _total added by the writer) and its scale. */
    private static final List<Stat> STATS = List.of(
            new Stat("total_xact_count", "sql_transactions_pooled", 1, "SQL transactions pooled"),
            new Stat("total_query_count", "queries_pooled", 1, "SQL queries pooled"),
            new Stat("total_received", "received_bytes", 1, "Bytes received from clients"),
            new Stat("total_sent", "sent_bytes", 1, "Bytes sent to clients"),
            new Stat("total_xact_time", "server_in_transaction_seconds", 1e-6,
                    "Seconds connected to PostgreSQL in a transaction"),
            new Stat("total_query_time", "queries_duration_seconds", 1e-6, "Seconds spent executing queries"),
            new Stat("total_wait_time", "client_wait_seconds", 1e-6, "Seconds clients waited for a server"));

    private record Stat(String column, String name, double scale, String help) {
    }

    private final java.util.function.Supplier<java.util.Optional<PgBouncerConsole>> consoles;

    /** @param consoles the console of the pooler as the cluster's record says now; empty: no pooler, no metrics */
    public PgBouncerMetricsCollector(java.util.function.Supplier<java.util.Optional<PgBouncerConsole>> consoles) {
        this.consoles = consoles;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        java.util.Optional<PgBouncerConsole> current;
        try {
            current = consoles.get();
        } catch (RuntimeException e) {
            return new MetricSnapshots(List.of(up(0)));
        }
        if (current.isEmpty()) {
            return new MetricSnapshots(List.of());
        }
        PgBouncerConsole console = current.get();
        try {
            out.addAll(pools(console.show("POOLS")));
            out.addAll(stats(console.show("STATS")));
            out.add(up(1));
        } catch (SQLException e) {
            out.clear();
            out.add(up(0));
        }
        return new MetricSnapshots(out);
    }

    static List<MetricSnapshot> pools(List<Map<String, String>> rows) {
        List<MetricSnapshot> out = new ArrayList<>();
        POOLS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            GaugeSnapshot.Builder g = GaugeSnapshot.builder().name("pgbouncer_pools_" + e.getValue())
                    .help("PgBouncer SHOW POOLS " + e.getKey());
            for (Map<String, String> row : rows) {
                // The console's own pseudo-database is not a pool of any server.
                if (!"pgbouncer".equals(row.get("database")) && row.get(e.getKey()) != null) {
                    g.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .labels(Labels.of("database", row.get("database"), "user", row.get("user")))
                            .value(Double.parseDouble(row.get(e.getKey()))).build());
                }
            }
            out.add(g.build());
        });
        return out;
    }

    static List<MetricSnapshot> stats(List<Map<String, String>> rows) {
        List<MetricSnapshot> out = new ArrayList<>();
        for (Stat s : STATS) {
            CounterSnapshot.Builder c = CounterSnapshot.builder().name("pgbouncer_stats_" + s.name()).help(s.help());
            for (Map<String, String> row : rows) {
                if (!"pgbouncer".equals(row.get("database")) && row.get(s.column()) != null) {
                    c.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                            .labels(Labels.of("database", row.get("database")))
                            .value(Double.parseDouble(row.get(s.column())) * s.scale()).build());
                }
            }
            out.add(c.build());
        }
        return out;
    }

    private static MetricSnapshot up(double value) {
        return GaugeSnapshot.builder().name("pgbouncer_up").help("Whether PgBouncer's console answered the scrape")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
