package dev.pgfly.testkit.chaos;

import dev.pgfly.testkit.chaos.HostFaultSchedule.Fault;
import dev.pgfly.testkit.chaos.HostFaultSchedule.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HostFaultScheduleTest {

    @Test
    void theSameSeedGivesTheSameScheduleAndALongRunDrawsEveryKind() {
        assertThat(HostFaultSchedule.draw(42, 50, 1)).isEqualTo(HostFaultSchedule.draw(42, 50, 1));
        assertThat(HostFaultSchedule.draw(42, 50, 1)).isNotEqualTo(HostFaultSchedule.draw(43, 50, 1));
        assertThat(HostFaultSchedule.draw(7, 400, 1).stream().flatMap(List::stream).map(Fault::kind).distinct())
                .containsExactlyInAnyOrder(Kind.values());
    }

    @Test
    void durationsStayInTheirRangesAndVoterCrashesNeverHitThePrimary() {
        for (Fault f : HostFaultSchedule.draw(11, 600, 2).stream().flatMap(List::stream).toList()) {
            if (f.kind().crash()) {
                assertThat(f.millis()).isBetween(0L, 10_000L);
            } else if (f.kind().lasts()) {
                assertThat(f.millis()).isBetween(2_000L, 20_000L);
            } else {
                assertThat(f.millis()).isZero();
            }
            if (f.kind() == Kind.VOTER_CRASH) {
                assertThat(f.onPrimary()).isFalse();
            }
            if (f.kind() == Kind.DISK_FULL) {
                assertThat(f.onPrimary()).as("a full disk is always the primary's").isTrue();
                assertThat(f.kind().takesHostAway()).as("the host stays in the ensemble").isFalse();
            }
        }
    }

    @Test
    void twoFaultsARoundHitDistinctHostsAndASwitchoverIsAlone() {
        for (List<Fault> round : HostFaultSchedule.draw(11, 300, 2)) {
            assertThat(round.stream().filter(Fault::onPrimary).count()).isLessThanOrEqualTo(1);
            assertThat(round.stream().map(Fault::replica).distinct().count()).isEqualTo(round.size());
            if (round.stream().anyMatch(f -> f.kind() == Kind.SWITCHOVER)) {
                assertThat(round).hasSize(1);
            }
        }
    }

    @Test
    void twoHostsAwayOfThreeVotersIsUnavailableByDesign() {
        Fault crash = new Fault(Kind.HOST_CRASH, -1, 0);
        Fault loss = new Fault(Kind.LOSS_OUTBOUND, 0, 2_000);
        Fault kill = new Fault(Kind.KILL_POSTGRES, 0, 0);
        assertThat(HostFaultSchedule.quorumLostByDesign(List.of(crash), 3)).isFalse();
        assertThat(HostFaultSchedule.quorumLostByDesign(List.of(crash, kill), 3)).isFalse();
        assertThat(HostFaultSchedule.quorumLostByDesign(List.of(crash, loss), 3)).isTrue();
    }

    /** What seed 42 drew (30 rounds, one fault each) before the full disk joined the schedule. */
    private static final List<String> SEED_42_BEFORE_DISK_FULL = List.of(
            "[host-cut(primary, 3000 ms)]", "[host-cut(primary, 6000 ms)]", "[switchover]", "[kill-both(replica 0)]",
            "[kill-both(primary)]", "[host-crash(primary, restart after 4000 ms)]", "[loss-outbound(replica 6, 16000 ms)]",
            "[voter-crash(replica 7, restart after 500 ms)]", "[host-cut(primary, 5500 ms)]", "[host-cut(primary, 2000 ms)]",
            "[kill-agent(replica 4)]", "[loss-inbound(primary, 15000 ms)]", "[host-partial-cut(replica 1, 17500 ms)]",
            "[host-crash(primary, restart after 10000 ms)]", "[loss-inbound(primary, 15000 ms)]", "[switchover]",
            "[host-crash(replica 6, restart after 6500 ms)]", "[host-crash(primary, restart after 7000 ms)]",
            "[host-cut(replica 3, 20000 ms)]", "[kill-agent(replica 5)]", "[host-cut(replica 6, 14500 ms)]",
            "[loss-inbound(primary, 13000 ms)]", "[loss-outbound(replica 5, 11500 ms)]", "[host-partial-cut(primary, 10500 ms)]",
            "[host-crash(primary, restart after 2500 ms)]", "[loss-outbound(primary, 16000 ms)]", "[loss-outbound(primary, 17500 ms)]",
            "[switchover]", "[kill-both(replica 0)]", "[pause-agent(primary)]");

    @Test
    void aFullDiskReplacesAFewRoundsAndLeavesEveryOtherRoundOfASeedAsItWas() {
        List<List<Fault>> now = HostFaultSchedule.draw(42, 30, 1);
        int full = 0;
        for (int r = 0; r < now.size(); r++) {
            if (now.get(r).getFirst().kind() == Kind.DISK_FULL) {
                full++;
                assertThat(now.get(r)).hasSize(1);
            } else {
                assertThat(now.get(r).toString()).as("round %d", r + 1).isEqualTo(SEED_42_BEFORE_DISK_FULL.get(r));
            }
        }
        assertThat(full).as("rounds with a full disk in seed 42").isBetween(1, 6);
        long many = HostFaultSchedule.draw(5, 1200, 2).stream().filter(round -> round.getFirst().kind() == Kind.DISK_FULL).count();
        assertThat(many).as("about one round in %d", HostFaultSchedule.DISK_FULL_ONE_IN).isBetween(60L, 140L);
    }

    @Test
    void aFullDiskKeepsTheOtherFaultsOfItsRoundOnReplicas() {
        for (List<Fault> round : HostFaultSchedule.draw(3, 600, 2)) {
            if (round.getFirst().kind() == Kind.DISK_FULL) {
                assertThat(round.stream().skip(1)).allMatch(f -> !f.onPrimary() && f.kind() != Kind.DISK_FULL);
            }
        }
        assertThat(HostFaultSchedule.quorumLostByDesign(List.of(new Fault(Kind.DISK_FULL, -1, 5_000),
                new Fault(Kind.HOST_CRASH, 0, 0)), 3)).as("a full disk keeps its host's ZooKeeper peer").isFalse();
        assertThat(new Fault(Kind.DISK_FULL, -1, 5_000)).hasToString("disk-full(primary, 5000 ms)");
    }
}
