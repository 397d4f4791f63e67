package dev.pgfly.agent;

import dev.pgfly.postgres.PgStats;
import dev.pgfly.testkit.PromText;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AgentMetricsCollectorTest {
    private static final HostStats HOST = new HostStats(50L << 30, 100L << 30, 8L << 30, 16L << 30, 0.5, 4);

    private static String scrape(PrometheusRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static MemberObserver.Observation observation(PgStats pg, HealthChecks.Role role) {
        boolean running = pg.up();
        return new MemberObserver.Observation(System.currentTimeMillis(), "m1", "obs", "local", running, pg, role,
                HOST, HealthChecks.all(running, pg, role, HOST), true);
    }

    @Test
    void primaryExposesPostgresExporterNamesAndPgflyMetrics() throws Exception {
        PgStats pg = new PgStats(true, null, false, 3, 0x3000060L, false, null, 0, 100, 4,
                List.of(new PgStats.DatabaseStats("postgres", 120, 2, 9000, 40, 7_500_000)),
                List.of(new PgStats.ActivityCount("postgres", "active", 1), new PgStats.ActivityCount("postgres", "idle", 3)),
                List.of(new PgStats.ReplicaLag("m2", "streaming", "async", 512, 0.25)));
        PrometheusRegistry registry = new PrometheusRegistry();
        HaMetrics ha = new HaMetrics(registry);
        ha.eventRecorded("failover");
        ha.eventRecorded("switchover");
        ha.eventRecorded("switchover-promote");
        ha.cycleTook(3_000_000);
        long contacted = System.nanoTime();
        ha.storeContacted();
        registry.register(new AgentMetricsCollector(() -> observation(pg, new HealthChecks.Role(true, 7, null, null)), ha));

        PromText m = PromText.parse(scrape(registry));
        // No more than the time that passed since the contact (seconds under load: it is a wall-clock gap).
        double sinceContact = (System.nanoTime() - contacted) / 1e9 + 0.001;

        assertThat(m.value("pg_up")).contains(1.0);
        assertThat(m.value("pg_stat_database_xact_commit", "datname", "postgres")).contains(120.0);
        assertThat(m.value("pg_stat_database_xact_rollback", "datname", "postgres")).contains(2.0);
        assertThat(m.value("pg_stat_database_blks_hit", "datname", "postgres")).contains(9000.0);
        assertThat(m.value("pg_stat_database_blks_read", "datname", "postgres")).contains(40.0);
        assertThat(m.value("pg_database_size_bytes", "datname", "postgres")).contains(7_500_000.0);
        assertThat(m.value("pg_stat_activity_count", "datname", "postgres", "state", "idle")).contains(3.0);
        assertThat(m.value("pg_settings_max_connections")).contains(100.0);
        assertThat(m.value("pg_replication_is_replica")).contains(0.0);
        assertThat(m.value("pgfly_role", "role", "primary")).contains(1.0);
        assertThat(m.value("pgfly_role", "role", "replica")).contains(0.0);
        assertThat(m.value("pgfly_leader")).contains(1.0);
        assertThat(m.value("pgfly_term")).contains(7.0);
        assertThat(m.value("pgfly_timeline")).contains(3.0);
        assertThat(m.value("pgfly_wal_position_bytes")).contains((double) 0x3000060L);
        assertThat(m.value("pgfly_replication_lag_bytes", "replica", "m2")).contains(512.0);
        assertThat(m.value("pgfly_replication_lag_seconds", "replica", "m2")).contains(0.25);
        assertThat(m.value("pgfly_failovers_total")).contains(1.0);
        assertThat(m.value("pgfly_switchovers_total")).contains(1.0);
        assertThat(m.value("pgfly_events_total", "kind", "switchover-promote")).contains(1.0);
        assertThat(m.value("pgfly_ha_loop_duration_seconds_count")).contains(1.0);
        assertThat(m.value("pgfly_coordination_last_contact_seconds").orElseThrow()).isBetween(0.0, sinceContact);
        assertThat(m.value("pgfly_check_status", "check", "pg")).contains(0.0);
        assertThat(m.value("pgfly_member_info", "cluster", "obs", "member", "m1", "region", "local")).contains(1.0);
        assertThat(m.family("pg_stat_database_xact_commit").orElseThrow().type()).isEqualTo("untyped");
        assertThat(m.family("pgfly_failovers_total").orElseThrow().type()).isEqualTo("counter");
    }

    @Test
    void downPostgresIsPgUpZeroAndCriticalChecks() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        HaMetrics ha = new HaMetrics(registry);
        registry.register(new AgentMetricsCollector(
                () -> observation(PgStats.down("refused"), new HealthChecks.Role(false, 7, "m2", "127.0.0.2")), ha));

        PromText m = PromText.parse(scrape(registry));

        assertThat(m.value("pg_up")).contains(0.0);
        assertThat(m.family("pg_stat_database_xact_commit")).isEmpty();
        assertThat(m.value("pgfly_role", "role", "unknown")).contains(1.0);
        assertThat(m.value("pgfly_check_status", "check", "pg")).contains(2.0);
        assertThat(m.value("pgfly_check_status", "check", "role")).contains(2.0);
        assertThat(m.value("pgfly_failovers_total")).contains(0.0);
    }
}
