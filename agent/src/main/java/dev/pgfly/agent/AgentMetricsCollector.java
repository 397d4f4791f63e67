package dev.pgfly.agent;

import dev.pgfly.postgres.PgStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Builds the member's metrics from one {@link MemberObserver.Observation} per scrape. PostgreSQL's
 * metrics carry postgres_exporter's names, so that its dashboards and alerts work unchanged; pgfly's
 * own carry the {@code pgfly_} prefix. Series of a database or replica that went away simply stop
 * appearing, because every scrape is built afresh (the collector pattern, not stateful gauges).
 */
final class AgentMetricsCollector implements MultiCollector {
    private final Supplier<MemberObserver.Observation> observer;
    private final HaMetrics ha;

    AgentMetricsCollector(Supplier<MemberObserver.Observation> observer, HaMetrics ha) {
        this.observer = observer;
        this.ha = ha;
    }

    @Override
    public MetricSnapshots collect() {
        MemberObserver.Observation o = observer.get();
        PgStats pg = o.pg();
        List<MetricSnapshot> out = new ArrayList<>();

        out.add(gauge("pg_up", "Whether the last query round against PostgreSQL succeeded (1) or not (0)",
                pg.up() ? 1 : 0));
        if (pg.up()) {
            addPostgres(out, pg);
        }

        out.add(gauge("pgfly_member_info", "This member's identity, for joins: always 1",
                Labels.of("cluster", o.cluster(), "member", o.member(), "region", o.region()), 1));
        String role = !pg.up() ? "unknown" : pg.inRecovery() ? "replica" : "primary";
        GaugeSnapshot.Builder roles = GaugeSnapshot.builder().name("pgfly_role")
                .help("The member's current role: 1 for the role it has, 0 for the others");
        for (String r : List.of("primary", "replica", "unknown")) {
            roles.dataPoint(point(Labels.of("role", r), r.equals(role) ? 1 : 0));
        }
        out.add(roles.build());
        out.add(gauge("pgfly_leader", "Whether this member holds the leader node of its cluster",
                o.role().leading() ? 1 : 0));
        out.add(gauge("pgfly_term", "The leadership term this member last saw (lead or follow)", o.role().term()));
        out.add(gauge("pgfly_timeline", "PostgreSQL timeline of this member (0 when unknown)", pg.timeline()));
        out.add(gauge("pgfly_wal_position_bytes",
                "WAL position: current on a primary, received or replayed on a replica, as a byte offset",
                pg.walPosition()));
        out.add(labelled("pgfly_replication_lag_bytes",
                "On the primary: how many bytes of WAL each replica has yet to replay (pg_stat_replication)",
                pg.replicas(), r -> Labels.of("replica", r.applicationName()), PgStats.ReplicaLag::lagBytes));
        out.add(labelled("pgfly_replication_lag_seconds",
                "On the primary: each replica's replay lag in seconds (pg_stat_replication.replay_lag)",
                pg.replicas(), r -> Labels.of("replica", r.applicationName()), PgStats.ReplicaLag::lagSeconds));
        out.add(gauge("pgfly_coordination_connected", "Whether the agent is connected to the coordination store",
                o.storeConnected() ? 1 : 0));
        out.add(gauge("pgfly_coordination_last_contact_seconds",
                "Seconds since this member's status last reached the coordination store (its heartbeat)",
                ha.secondsSinceStoreContact()));
        out.add(labelled("pgfly_check_status", "Health checks: 0 passing, 1 warning, 2 critical",
                o.checks(), c -> Labels.of("check", c.name()), c -> c.verdict().ordinal()));
        return new MetricSnapshots(out);
    }

    private static void addPostgres(List<MetricSnapshot> out, PgStats pg) {
        // Cumulative counts exposed untyped: a counter here would be written as "..._total" by the client
        // library, and the point of these names is to be exactly postgres_exporter's. Use rate() on them.
        out.add(cumulative("pg_stat_database_xact_commit", "Transactions committed in this database",
                pg.databases(), PgStats.DatabaseStats::xactCommit));
        out.add(cumulative("pg_stat_database_xact_rollback", "Transactions rolled back in this database",
                pg.databases(), PgStats.DatabaseStats::xactRollback));
        out.add(cumulative("pg_stat_database_blks_hit", "Disk blocks found in the buffer cache",
                pg.databases(), PgStats.DatabaseStats::blksHit));
        out.add(cumulative("pg_stat_database_blks_read", "Disk blocks read",
                pg.databases(), PgStats.DatabaseStats::blksRead));
        out.add(labelled("pg_database_size_bytes", "Disk space used by the database", pg.databases(),
                d -> Labels.of("datname", d.datname()), PgStats.DatabaseStats::sizeBytes));
        out.add(labelled("pg_stat_activity_count", "Client connections by database and state", pg.activity(),
                a -> Labels.of("datname", a.datname(), "state", a.state()), PgStats.ActivityCount::count));
        out.add(gauge("pg_settings_max_connections", "Server setting max_connections", pg.maxConnections()));
        out.add(gauge("pg_replication_is_replica", "Whether the server is a standby (in recovery)",
                pg.inRecovery() ? 1 : 0));
        out.add(gauge("pg_replication_lag_seconds",
                "On a replica: seconds since the last replayed transaction, 0 when all received WAL is replayed",
                pg.replicaLagSeconds()));
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return gauge(name, help, Labels.EMPTY, value);
    }

    private static GaugeSnapshot gauge(String name, String help, Labels labels, double value) {
        return GaugeSnapshot.builder().name(name).help(help).dataPoint(point(labels, value)).build();
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static <T> GaugeSnapshot labelled(String name, String help, List<T> rows, Function<T, Labels> labels,
                                              ToDoubleFunction<T> value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        rows.forEach(r -> b.dataPoint(point(labels.apply(r), value.applyAsDouble(r))));
        return b.build();
    }

    private static UnknownSnapshot cumulative(String name, String help, List<PgStats.DatabaseStats> rows,
                                              ToDoubleFunction<PgStats.DatabaseStats> value) {
        UnknownSnapshot.Builder b = UnknownSnapshot.builder().name(name).help(help);
        rows.forEach(r -> b.dataPoint(UnknownDataPointSnapshot.builder()
                .labels(Labels.of("datname", r.datname())).value(value.applyAsDouble(r)).build()));
        return b.build();
    }
}
