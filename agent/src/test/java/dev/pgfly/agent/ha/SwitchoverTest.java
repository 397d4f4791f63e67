package dev.pgfly.agent.ha;

import org.junit.jupiter.api.Test;

import dev.pgfly.core.model.LeaderRecord;

import java.util.Map;
import java.util.Optional;

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

    /** S1: after a failed handover only the holder of the leader node starts writable again. */
    @Test
    void aFailedHandoverResumesAsPrimaryOnlyWhileItStillLeads() {
        LeaderRecord mine = new LeaderRecord("m1", 7, "127.0.0.1", 5432, false, 0);
        LeaderRecord elsewhere = new LeaderRecord("m2", 8, "127.0.0.2", 5432, true, 0);
        assertThat(Switchover.mayResumeAsPrimary(Optional.of(mine), "m1")).isTrue();
        assertThat(Switchover.mayResumeAsPrimary(Optional.of(elsewhere), "m1")).as("another member was elected").isFalse();
        assertThat(Switchover.mayResumeAsPrimary(Optional.empty(), "m1")).as("the leader node is gone").isFalse();
    }
}
