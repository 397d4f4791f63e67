package dev.pgfly.proxy;

import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaChoiceTest {
    private static MemberStatus replica(String name, String region) {
        return new MemberStatus(name, Role.REPLICA, MemberState.RUNNING, null, "127.0.0.1", 5432, null, region, 1, 0, 0, 0, 0, 0,
                false, true, "m1", 1, 1, 1, 0);
    }

    private static final MemberStatus A = replica("a", "fra");
    private static final MemberStatus B = replica("b", "fra");
    private static final MemberStatus C = replica("c", "fra");
    private static final MemberStatus FAR = replica("d", "syd");

    private static Optional<String> choose(List<MemberStatus> healthy, String region, Map<String, Integer> open,
                                           String last) {
        return ReplicaChoice.choose(healthy, region, open, last).map(MemberStatus::name);
    }

    @Test
    void noHealthyReplicaIsNoChoice() {
        assertThat(choose(List.of(), "fra", Map.of(), null)).isEmpty();
        assertThat(choose(List.of(), null, Map.of(), "a")).isEmpty();
    }

    @Test
    void fewestOpenConnectionsWins() {
        assertThat(choose(List.of(A, B, C), "fra", Map.of("a", 2, "b", 1, "c", 3), null)).hasValue("b");
        assertThat(choose(List.of(C, B, A), "fra", Map.of("a", 2, "b", 1, "c", 3), "b")).as("even right after it")
                .hasValue("b");
    }

    @Test
    void tiesGoRoundRobinByNameAfterTheLastPick() {
        assertThat(choose(List.of(C, A, B), "fra", Map.of(), null)).hasValue("a");
        assertThat(choose(List.of(C, A, B), "fra", Map.of(), "a")).hasValue("b");
        assertThat(choose(List.of(C, A, B), "fra", Map.of(), "b")).hasValue("c");
        assertThat(choose(List.of(C, A, B), "fra", Map.of(), "c")).as("wraps around").hasValue("a");
        assertThat(choose(List.of(A, C), "fra", Map.of(), "b")).as("a pick that left the set").hasValue("c");
        assertThat(choose(List.of(A, B, C), "fra", Map.of("b", 1), "a")).as("among the tied only").hasValue("c");
    }

    @Test
    void theProxysRegionComesFirstWhateverItsLoad() {
        assertThat(choose(List.of(FAR, A), "fra", Map.of("a", 50), null)).hasValue("a");
        assertThat(choose(List.of(FAR, A), "syd", Map.of("d", 50), "d")).hasValue("d");
    }

    @Test
    void withoutAReplicaInItsRegionAProxySpreadsOverTheOthers() {
        MemberStatus far2 = replica("e", "syd");
        assertThat(choose(List.of(FAR, far2), "fra", Map.of(), null)).hasValue("d");
        assertThat(choose(List.of(FAR, far2), "fra", Map.of(), "d")).hasValue("e");
        assertThat(choose(List.of(FAR, far2), "fra", Map.of("d", 1), "e")).hasValue("e");
    }

    @Test
    void aProxyWithoutARegionTreatsEveryReplicaAlike() {
        assertThat(choose(List.of(FAR, A), null, Map.of(), null)).hasValue("a");
        assertThat(choose(List.of(FAR, A), null, Map.of(), "a")).hasValue("d");
    }

    @Test
    void theBalancerSpreadsABurstAndARunOfShortConnectionsEvenly() {
        ReplicaBalancer balancer = new ReplicaBalancer();
        List<String> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            burst.add(balancer.acquire(List.of(A, B, C, FAR), "fra").orElseThrow().name());
        }
        assertThat(burst).as("six clients held open together").containsExactly("a", "b", "c", "a", "b", "c");
        burst.forEach(balancer::release);
        assertThat(balancer.open("a") + balancer.open("b") + balancer.open("c")).isZero();

        List<String> run = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String m = balancer.acquire(List.of(A, B, C), "fra").orElseThrow().name();
            run.add(m);
            balancer.release(m);
        }
        assertThat(run).as("five clients one after the other").containsExactly("a", "b", "c", "a", "b");
    }

    @Test
    void theBalancerSendsTheNextClientWhereOneLeft() {
        ReplicaBalancer balancer = new ReplicaBalancer();
        for (int i = 0; i < 3; i++) {
            balancer.acquire(List.of(A, B, C), "fra");
        }
        balancer.release("b");
        assertThat(balancer.acquire(List.of(A, B, C), "fra")).map(MemberStatus::name).hasValue("b");
        balancer.release("x");
        assertThat(balancer.open("x")).as("releasing an unknown member changes nothing").isZero();
    }
}
