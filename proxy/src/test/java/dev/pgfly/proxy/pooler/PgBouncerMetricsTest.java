package dev.pgfly.proxy.pooler;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** SHOW POOLS / SHOW STATS as psql prints them, turned into pgbouncer_exporter's metric names. */
class PgBouncerMetricsTest {
    private static final String POOLS = """
            database\tuser\tcl_active\tcl_waiting\tcl_active_cancel_req\tcl_waiting_cancel_req\tsv_active\tsv_active_cancel\tsv_being_canceled\tsv_idle\tsv_used\tsv_tested\tsv_login\tmaxwait\tmaxwait_us\tpool_mode
            pgbouncer\tpgbouncer\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\tstatement
            shop\tapp\t42\t7\t0\t0\t20\t0\t0\t0\t0\t0\t0\t2\t5000\ttransaction
            """;
    private static final String STATS = """
            database\ttotal_xact_count\ttotal_query_count\ttotal_received\ttotal_sent\ttotal_xact_time\ttotal_query_time\ttotal_wait_time\tavg_xact_count
            pgbouncer\t1\t1\t0\t0\t0\t0\t0\t0
            shop\t1000\t3000\t4096\t8192\t2000000\t1500000\t250000\t10
            """;

    @Test
    void poolsAndStatsUnderTheExportersNames() throws Exception {
        List<Map<String, String>> pools = PgBouncerConsole.rows(POOLS);
        assertThat(pools).hasSize(2);
        assertThat(pools.get(1)).containsEntry("database", "shop").containsEntry("cl_waiting", "7");
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> all = new ArrayList<>(PgBouncerMetricsCollector.pools(pools));
        all.addAll(PgBouncerMetricsCollector.stats(PgBouncerConsole.rows(STATS)));
        String text = write(new MetricSnapshots(all));
        assertThat(text)
                .contains("pgbouncer_pools_client_active_connections{database=\"shop\",user=\"app\"} 42.0")
                .contains("pgbouncer_pools_client_waiting_connections{database=\"shop\",user=\"app\"} 7.0")
                .contains("pgbouncer_pools_server_active_connections{database=\"shop\",user=\"app\"} 20.0")
                .contains("pgbouncer_stats_sql_transactions_pooled_total{database=\"shop\"} 1000.0")
                .contains("pgbouncer_stats_queries_duration_seconds_total{database=\"shop\"} 1.5")
                .contains("pgbouncer_stats_client_wait_seconds_total{database=\"shop\"} 0.25")
                // the console's own pseudo-database is no pool of any server
                .doesNotContain("database=\"pgbouncer\"");
    }

    @Test
    void noPoolerNoMetricsAndAnUnreachableOneIsDown() throws Exception {
        assertThat(new PgBouncerMetricsCollector(Optional::empty).collect()).isEmpty();
        PgBouncerConsole nowhere = new PgBouncerConsole("127.0.0.1", 1, "pgfly_pooler_admin", "x");
        assertThat(write(new PgBouncerMetricsCollector(() -> Optional.of(nowhere)).collect())).contains("pgbouncer_up 0.0");
    }

    private static String write(MetricSnapshots snapshots) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, snapshots);
        return out.toString(StandardCharsets.UTF_8);
    }
}
