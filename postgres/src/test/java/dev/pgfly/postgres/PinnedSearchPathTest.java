package dev.pgfly.postgres;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class PinnedSearchPathTest {
    @Test
    void setsTheStartupOption() {
        Properties p = PinnedSearchPath.pin(new Properties());
        assertThat(p.getProperty("options")).isEqualTo("-c search_path=pg_catalog,pg_temp");
    }

    @Test
    void keepsOtherStartupOptions() {
        Properties p = new Properties();
        p.setProperty("options", "-c synchronous_commit=local");
        PinnedSearchPath.pin(p);
        assertThat(p.getProperty("options")).isEqualTo("-c synchronous_commit=local -c search_path=pg_catalog,pg_temp");
    }
}
