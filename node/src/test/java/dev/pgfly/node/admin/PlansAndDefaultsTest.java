package dev.pgfly.node.admin;

import dev.pgfly.node.admin.RestartPlan.Kind;
import dev.pgfly.node.admin.RestartPlan.Step;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlansAndDefaultsTest {
    private static final List<String> THREE = List.of("m1", "m2", "m3");

    @Test
    void replicasFirstThenSwitchoverThenTheFormerPrimary() {
        assertThat(RestartPlan.plan(THREE, "m2", Set.of("m1", "m2", "m3"), false)).containsExactly(
                new Step(Kind.RESTART_REPLICA, "m1"), new Step(Kind.RESTART_REPLICA, "m3"),
                new Step(Kind.SWITCHOVER, "m2"), new Step(Kind.RESTART_FORMER_PRIMARY, "m2"));
    }

    @Test
    void onlyTheTargetsAreRestarted() {
        assertThat(RestartPlan.plan(THREE, "m1", Set.of("m3"), false))
                .containsExactly(new Step(Kind.RESTART_REPLICA, "m3"));
        assertThat(RestartPlan.plan(THREE, "m1", Set.of(), false)).isEmpty();
    }

    @Test
    void aSingleMemberRestartsInPlace() {
        assertThat(RestartPlan.plan(List.of("m1"), "m1", Set.of("m1"), false))
                .containsExactly(new Step(Kind.RESTART_PRIMARY_IN_PLACE, "m1"));
    }

    @Test
    void loweringAStandbyMinimumRestartsThePrimaryFirst() {
        assertThat(RestartPlan.plan(THREE, "m1", Set.of("m1", "m2", "m3"), true)).containsExactly(
                new Step(Kind.RESTART_PRIMARY_IN_PLACE, "m1"), new Step(Kind.RESTART_REPLICA, "m2"),
                new Step(Kind.RESTART_REPLICA, "m3"));
        assertThatThrownBy(() -> RestartPlan.plan(THREE, "m1", Set.of("m2"), true))
                .hasMessageContaining("needs the primary restarted before its replicas");
    }

    @Test
    void memoryDefaultsShareTheHostBetweenMembers() {
        long gb = 1024L * 1024 * 1024;
        Map<String, String> one = MemoryDefaults.forHost(16 * gb, 1);
        assertThat(one).containsEntry("shared_buffers", "1024MB").containsEntry("effective_cache_size", "3072MB")
                .containsEntry("max_connections", "100");
        Map<String, String> three = MemoryDefaults.forHost(16 * gb, 3);
        assertThat(three).containsEntry("shared_buffers", "341MB").containsEntry("work_mem", "4MB");
        assertThat(MemoryDefaults.forHost(64 * gb, 1)).containsEntry("shared_buffers", "4096MB")
                .containsEntry("work_mem", "40MB").containsEntry("maintenance_work_mem", "1024MB");
        Map<String, String> tiny = MemoryDefaults.forHost(2 * gb, 3);
        assertThat(tiny).as("never below PostgreSQL's own defaults")
                .containsEntry("shared_buffers", "128MB").containsEntry("work_mem", "4MB");
        // Every default passes the validator as PostgreSQL would see it.
        three.forEach((k, v) -> {
            if (SettingValidatorTest.PG.containsKey(k)) {
                assertThat(SettingValidator.validate(SettingValidatorTest.PG, k, v).value()).isEqualTo(v);
            }
        });
    }
}
