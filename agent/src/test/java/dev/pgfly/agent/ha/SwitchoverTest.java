package dev.pgfly.agent.ha;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SwitchoverTest {

    @Test
    void aCleanStopGivesItsShutdownCheckpoint() {
        assertThat(Switchover.cleanShutdownCheckpoint(Map.of("Database cluster state", "shut down",
                "Latest checkpoint location", "0/11000028"))).hasValue(0x11000028L);
    }

    @Test
    void anImmediateStopOrACrashGivesNothingToHandOver() {
        assertThat(Switchover.cleanShutdownCheckpoint(Map.of("Database cluster state", "in production",
                "Latest checkpoint location", "0/11000028"))).isEmpty();
        assertThat(Switchover.cleanShutdownCheckpoint(Map.of("Database cluster state", "shut down in recovery",
                "Latest checkpoint location", "0/11000028"))).isEmpty();
        assertThat(Switchover.cleanShutdownCheckpoint(Map.of())).isEmpty();
    }
}
