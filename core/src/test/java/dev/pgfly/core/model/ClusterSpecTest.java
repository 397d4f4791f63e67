package dev.pgfly.core.model;

import dev.pgfly.core.util.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterSpecTest {
    private static final ClusterSpec SPEC = new ClusterSpec("shop", "ha", "fra", false, 1024, "127.0.0.1", 16432, 16433,
            15, List.of(new MemberSpec("m1", "127.41.3.1", 5432, 8008, "fra", 100, false)), Map.of("work_mem", "8MB"));

    @Test
    void specsStoredBeforeTlsExistedReadAsWithoutTls() {
        String json = Json.text(SPEC);
        String old = json.replace(",\"tls\":false", "").replace("\"tls\":false,", "");
        assertThat(old).doesNotContain("tls");
        ClusterSpec read = Json.read(old, ClusterSpec.class);
        assertThat(read.tls()).isFalse();
        assertThat(read).isEqualTo(SPEC);
    }

    @Test
    void tlsSurvivesTheRoundTripAndEveryCopy() {
        ClusterSpec tls = SPEC.withTls(true);
        assertThat(Json.read(Json.text(tls), ClusterSpec.class).tls()).isTrue();
        assertThat(tls.withSynchronous(true).withSettings(Map.of()).withIdleTimeout(0).withoutMember("m1").tls()).isTrue();
    }
}
