package dev.pgfly.core.ha;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FailoverPlanTest {
    private static final String REGION = "local";

    private static MemberSpec member(String name, String region, int priority, boolean noFailover) {
        return new MemberSpec(name, "127.0.1." + name.substring(1), 5432, 8008, region, priority, noFailover);
    }

    private static ClusterSpec cluster(MemberSpec... members) {
        return new ClusterSpec("c", "ha", REGION, false, 1000, "127.0.0.1", 6000, 6001, 15, List.of(members), Map.of());
    }

    private static MemberStatus primary(String name, long lsn) {
        return new MemberStatus(name, Role.PRIMARY, MemberState.RUNNING, null, "127.0.1.1", 5432, null, REGION, 3,
                lsn, 0, 0, 0, 0.0, false, false, null, 4, 100, 200, 1);
    }

    private static MemberStatus replica(String name, MemberState state, int timeline, long received, long lag,
                                        boolean streaming) {
        return new MemberStatus(name, Role.REPLICA, state, null, "127.0.1." + name.substring(1), 5432, null, REGION,
                timeline, 0, received, received, lag, 0.0, false, streaming, "m1", 4, 100, 200, 1);
    }

    @Test
    void promotesTheMostAdvancedFitReplicaAndSaysWhyEachOtherIsNot() {
        ClusterSpec spec = cluster(member("m1", REGION, 100, false), member("m2", REGION, 100, false),
                member("m3", REGION, 100, false), member("m4", REGION, 100, true), member("m5", "iad", 100, false),
                member("m6", REGION, 100, false), member("m7", REGION, 100, false), member("m8", REGION, 100, false));
        Map<String, MemberStatus> s = new HashMap<>();
        s.put("m1", primary("m1", 5000));
        s.put("m2", replica("m2", MemberState.RUNNING, 3, 4900, 100, true));
        s.put("m3", replica("m3", MemberState.RUNNING, 3, 5000, 0, true));
        s.put("m4", replica("m4", MemberState.RUNNING, 3, 5000, 0, true));
        s.put("m5", replica("m5", MemberState.RUNNING, 3, 5000, 0, true));
        s.put("m6", replica("m6", MemberState.RUNNING, 3, 1000, 4000, true));
        s.put("m7", replica("m7", MemberState.CATCHING_UP, 2, 5000, 0, false));
        // m8 does not answer

        FailoverPlan plan = FailoverPlan.explain(spec, "m1", 3, s::get, null);

        assertThat(plan.primary()).isEqualTo("m1");
        assertThat(plan.candidate()).isEqualTo("m3");
        assertThat(plan.summary()).isEqualTo("m3 would be promoted: the most advanced fit replica");
        assertThat(plan.members()).extracting(FailoverPlan.Verdict::name)
                .containsExactly("m1", "m3", "m2", "m4", "m5", "m6", "m7", "m8");
        Map<String, String> why = new HashMap<>();
        plan.members().forEach(v -> why.put(v.name(), v.reason()));
        assertThat(why).containsEntry("m1", "is the primary")
                .containsEntry("m3", "the most advanced fit replica")
                .containsEntry("m2", "fit, but m3 is preferred (WAL 0/1388 vs 0/1324)")
                .containsEntry("m4", "m4 is tagged nofailover")
                .containsEntry("m5", "m5 is outside the primary region local")
                .containsEntry("m6", "m6 lags by 4000 bytes, more than 1000")
                .containsEntry("m7", "m7 is not settled (catching up)")
                .containsEntry("m8", "m8 does not answer");
        assertThat(plan.members().get(1).fit()).isTrue();
        assertThat(plan.members().get(3).fit()).isFalse();
    }

    @Test
    void aReplicaOnAnOlderTimelineIsUnfit() {
        ClusterSpec spec = cluster(member("m1", REGION, 100, false), member("m2", REGION, 100, false));
        Map<String, MemberStatus> s = Map.of("m1", primary("m1", 5000),
                "m2", replica("m2", MemberState.RUNNING, 2, 5000, 0, true));
        FailoverPlan plan = FailoverPlan.explain(spec, "m1", 3, s::get, null);
        assertThat(plan.candidate()).isNull();
        assertThat(plan.summary()).isEqualTo("no member could take over now");
        assertThat(plan.members().get(1).reason()).isEqualTo("m2 streams timeline 2, older than the leader's 3");
    }

    @Test
    void tiesAreBrokenByPriorityThenName() {
        ClusterSpec spec = cluster(member("m1", REGION, 100, false), member("m2", REGION, 100, false),
                member("m3", REGION, 200, false), member("m4", REGION, 200, false));
        Map<String, MemberStatus> s = Map.of("m1", primary("m1", 5000),
                "m2", replica("m2", MemberState.RUNNING, 3, 5000, 0, true),
                "m3", replica("m3", MemberState.RUNNING, 3, 5000, 0, true),
                "m4", replica("m4", MemberState.RUNNING, 3, 5000, 0, true));
        FailoverPlan plan = FailoverPlan.explain(spec, "m1", 3, s::get, null);
        assertThat(plan.candidate()).isEqualTo("m3");
        assertThat(plan.members().get(2).reason()).isEqualTo("fit, but m3 is preferred (same WAL and priority, first by name)");
        assertThat(plan.members().get(3).reason()).isEqualTo("fit, but m3 is preferred (same WAL, priority 200 vs 100)");
    }

    @Test
    void aNamedTargetIsPromotedOnlyWhenFit() {
        ClusterSpec spec = cluster(member("m1", REGION, 100, false), member("m2", REGION, 100, false),
                member("m3", REGION, 100, true));
        Map<String, MemberStatus> s = Map.of("m1", primary("m1", 5000),
                "m2", replica("m2", MemberState.RUNNING, 3, 4000, 0, true),
                "m3", replica("m3", MemberState.RUNNING, 3, 5000, 0, true));
        assertThat(FailoverPlan.explain(spec, "m1", 3, s::get, "m2").candidate()).isEqualTo("m2");
        FailoverPlan refused = FailoverPlan.explain(spec, "m1", 3, s::get, "m3");
        assertThat(refused.candidate()).isNull();
        assertThat(refused.summary()).isEqualTo("no promotion: m3 is tagged nofailover");
        assertThat(FailoverPlan.explain(spec, "m1", 3, s::get, "m1").summary()).isEqualTo("m1 is already the primary");
    }
}
