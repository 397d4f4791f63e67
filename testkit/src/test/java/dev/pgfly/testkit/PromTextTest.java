package dev.pgfly.testkit;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromTextTest {

    @Test
    void parsesFamiliesLabelsEscapesAndHistograms() {
        PromText p = PromText.parse("""
                # HELP pg_up Whether it answered
                # TYPE pg_up gauge
                pg_up 1
                # TYPE pg_stat_activity_count gauge
                pg_stat_activity_count{datname="postgres",state="idle in transaction"} 3
                pg_stat_activity_count{datname="a\\"b\\\\c",state="active"} 0
                # TYPE loop_seconds histogram
                loop_seconds_bucket{le="0.1"} 1
                loop_seconds_bucket{le="+Inf"} 2
                loop_seconds_count 2
                loop_seconds_sum 0.35
                # TYPE x_total counter
                x_total 7 1712345678000
                """);
        assertThat(p.value("pg_up")).contains(1.0);
        assertThat(p.family("pg_up").orElseThrow().help()).isEqualTo("Whether it answered");
        assertThat(p.value("pg_stat_activity_count", "datname", "postgres", "state", "idle in transaction")).contains(3.0);
        assertThat(p.value("pg_stat_activity_count", "datname", "a\"b\\c", "state", "active")).contains(0.0);
        assertThat(p.family("loop_seconds").orElseThrow().samples()).hasSize(4);
        assertThat(p.family("x_total").orElseThrow().type()).isEqualTo("counter");
        assertThat(p.family("pg_stat_activity_count").orElseThrow().where(Map.of("state", "active"))).hasSize(1);
    }

    @Test
    void rejectsWhatPrometheusWouldReject() {
        assertThatThrownBy(() -> PromText.parse("# TYPE a gauge\na 1\na 2\n")).hasMessageContaining("repeated series");
        assertThatThrownBy(() -> PromText.parse("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n"))
                .hasMessageContaining("appears twice");
        assertThatThrownBy(() -> PromText.parse("a{x=1} 2\n")).hasMessageContaining("not quoted");
        assertThatThrownBy(() -> PromText.parse("a{x=\"\\t\"} 2\n")).hasMessageContaining("bad escape");
        assertThatThrownBy(() -> PromText.parse("1a 2\n")).hasMessageContaining("bad metric name");
        assertThatThrownBy(() -> PromText.parse("a two\n")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> PromText.parse("# TYPE a gauge\n# TYPE a counter\n")).hasMessageContaining("second TYPE");
        assertThatThrownBy(() -> PromText.parse("# TYPE a wobble\n")).hasMessageContaining("bad TYPE");
        assertThatThrownBy(() -> PromText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n"))
                .hasMessageContaining("not cumulative");
        assertThatThrownBy(() -> PromText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n"))
                .hasMessageContaining("+Inf");
    }
}
