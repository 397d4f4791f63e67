package dev.pgfly.agent.ha;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PastWalRetentionTest {
    @Test
    void recognisesTheWalreceiversReport() {
        assertThat(PastWalRetention.reported(List.of(
                "2025-01-01 10:00:00.000 UTC [123] LOG:  started streaming WAL from primary at 0/5000000 on timeline 1",
                "2025-01-01 10:00:00.001 UTC [123] FATAL:  could not receive data from WAL stream: ERROR:  requested WAL"
                        + " segment 000000010000000000000005 has already been removed"))).isTrue();
    }

    @Test
    void otherStreamingFailuresAreNotIt() {
        assertThat(PastWalRetention.reported(List.of(
                "FATAL:  could not connect to the primary server: connection refused",
                "LOG:  waiting for WAL to become available at 0/5000018"))).isFalse();
        assertThat(PastWalRetention.reported(List.of())).isFalse();
    }
}
