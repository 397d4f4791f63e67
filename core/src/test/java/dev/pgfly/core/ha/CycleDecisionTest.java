package dev.pgfly.core.ha;

import dev.pgfly.core.ha.CycleDecision.Action;
import dev.pgfly.core.ha.CycleDecision.Input;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CycleDecisionTest {
    private static final ClusterSpec SPEC = new ClusterSpec("shop", "ha", "fra", true, 1024, "127.0.0.1", 16432, 16433,
            15, List.of(member("m1"), member("m2"), member("m3")), Map.of());
    private static final LeaderRecord M1_LEADS = new LeaderRecord("m1", 7, "127.0.1.1", 5432, true, 1);

    private static MemberSpec member(String name) {
        return new MemberSpec(name, "127.0.1." + name.substring(1), 5432, 8008, "fra", 100, false);
    }

    private static Action decide(boolean connected, ClusterSpec spec, String me, LeaderRecord leader, boolean hasData,
                                 boolean recloneNeeded, boolean rolesPending) {
        return CycleDecision.decide(new Input(connected, spec, me, leader, hasData, recloneNeeded, rolesPending)).action();
    }

    @Test
    void withoutTheStoreNothingIsDecided() {
        assertThat(decide(false, SPEC, "m1", M1_LEADS, true, true, true)).isEqualTo(Action.WAIT_FOR_STORE);
        assertThat(decide(true, null, "m1", null, true, false, false)).isEqualTo(Action.WAIT_FOR_CONFIG);
    }

    @Test
    void aMemberNoLongerInTheSpecLeaves() {
        assertThat(decide(true, SPEC, "m9", M1_LEADS, true, false, false)).isEqualTo(Action.LEAVE);
    }

    @Test
    void aMemberWithoutDataBootstrapsWhateverTheLeaderSays() {
        assertThat(decide(true, SPEC, "m2", M1_LEADS, false, false, false)).isEqualTo(Action.BOOTSTRAP);
        assertThat(decide(true, SPEC, "m2", null, false, false, false)).isEqualTo(Action.BOOTSTRAP);
        assertThat(decide(true, SPEC, "m1", M1_LEADS, false, true, true)).isEqualTo(Action.BOOTSTRAP);
    }

    /** S4: a data directory a failed pg_rewind left unusable is never led, followed from or offered in an election. */
    @Test
    void aMarkedDataDirectoryIsNeverStartedNorElected() {
        assertThat(decide(true, SPEC, "m2", M1_LEADS, true, true, false)).isEqualTo(Action.RECLONE_MARKED);
        assertThat(decide(true, SPEC, "m2", null, true, true, false)).as("leaderless").isEqualTo(Action.RECLONE_MARKED);
        assertThat(decide(true, SPEC, "m1", M1_LEADS, true, true, false)).as("even named leader")
                .isEqualTo(Action.RECLONE_MARKED);
    }

    @Test
    void anInterruptedBootstrapIsResumedOnlyWhileNobodyLeads() {
        assertThat(decide(true, SPEC, "m1", null, true, false, true)).isEqualTo(Action.RESUME_BOOTSTRAP);
        assertThat(decide(true, SPEC, "m1", M1_LEADS, true, false, true)).isEqualTo(Action.LEAD);
        assertThat(decide(true, SPEC, "m2", M1_LEADS, true, false, true)).isEqualTo(Action.FOLLOW);
    }

    @Test
    void theLeaderNodeSaysWhoLeadsFollowsOrElects() {
        assertThat(decide(true, SPEC, "m1", M1_LEADS, true, false, false)).isEqualTo(Action.LEAD);
        assertThat(decide(true, SPEC, "m2", M1_LEADS, true, false, false)).isEqualTo(Action.FOLLOW);
        assertThat(decide(true, SPEC, "m2", null, true, false, false)).isEqualTo(Action.ELECT);
    }

    @Test
    void everyDecisionSaysWhy() {
        Input in = new Input(true, SPEC, "m2", M1_LEADS, true, false, false);
        assertThat(CycleDecision.decide(in).reason()).isEqualTo("m1 leads term 7");
    }

    @Test
    void aLeaderNodeNamingThisMemberButNotHeldBySessionIsStale() {
        assertThat(CycleDecision.isStaleLeaderNode(M1_LEADS, "m1", false)).isTrue();
        assertThat(CycleDecision.isStaleLeaderNode(M1_LEADS, "m1", true)).isFalse();
        assertThat(CycleDecision.isStaleLeaderNode(M1_LEADS, "m2", false)).isFalse();
        assertThat(CycleDecision.isStaleLeaderNode(null, "m1", false)).isFalse();
    }

    private static CycleDecision.Result paused(String me, LeaderRecord leader, boolean hasData, boolean recloneNeeded,
                                               boolean rolesPending) {
        return CycleDecision.decide(new Input(true, SPEC, me, leader, hasData, recloneNeeded, rolesPending,
                new dev.pgfly.core.model.PauseState(1000, 0)));
    }

    /** Patroni's maintenance mode: nobody is promoted, demoted, rewound, re-cloned or started. */
    @Test
    void aPausedClusterOnlyObservesAndItsLeaderKeepsItsLease() {
        assertThat(paused("m1", M1_LEADS, true, false, false).action()).isEqualTo(Action.LEAD_PAUSED);
        assertThat(paused("m2", M1_LEADS, true, false, false).action()).isEqualTo(Action.OBSERVE_PAUSED);
        CycleDecision.Result leaderless = paused("m2", null, true, false, false);
        assertThat(leaderless.action()).as("no election").isEqualTo(Action.OBSERVE_PAUSED);
        assertThat(leaderless.reason()).isEqualTo("paused until resumed; nobody leads, and nobody is promoted");
        assertThat(paused("m2", M1_LEADS, true, true, false).action()).as("no re-clone").isEqualTo(Action.OBSERVE_PAUSED);
        assertThat(paused("m1", null, true, false, true).action()).as("no bootstrap resumed").isEqualTo(Action.OBSERVE_PAUSED);
        assertThat(paused("m3", M1_LEADS, false, false, false).action()).as("no clone").isEqualTo(Action.OBSERVE_PAUSED);
    }

    @Test
    void aPauseNeverKeepsTheStoreOrAMemberRemovalWaiting() {
        assertThat(CycleDecision.decide(new Input(false, SPEC, "m1", M1_LEADS, true, false, false,
                new dev.pgfly.core.model.PauseState(1000, 0))).action()).isEqualTo(Action.WAIT_FOR_STORE);
        assertThat(paused("m9", M1_LEADS, true, false, false).action()).isEqualTo(Action.LEAVE);
    }

    @Test
    void anExpiredPauseIsNoPause() {
        var pause = new dev.pgfly.core.model.PauseState(1000, 5000);
        assertThat(pause.activeAt(4999)).isTrue();
        assertThat(pause.activeAt(5000)).isFalse();
        assertThat(dev.pgfly.core.model.PauseState.activeOrNull(pause, 6000)).isNull();
        assertThat(CycleDecision.decide(new Input(true, SPEC, "m2", null, true, false, false,
                dev.pgfly.core.model.PauseState.activeOrNull(pause, 6000))).action()).isEqualTo(Action.ELECT);
    }
}
