package dev.pgfly.core.ha;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The failover decision as a pure function: no processes, no store. */
class FailoverDecisionTest {
    private static final String REGION = "fra";

    private static Candidate member(String name, long wal) {
        return new Candidate(name, REGION, false, 100, true, true, wal);
    }

    private static ElectionInput async(String self, String former, long lastPrimary, Candidate... members) {
        return new ElectionInput(self, REGION, List.of(members), former, lastPrimary, false, Set.of(), 1024 * 1024, null);
    }

    private static ElectionInput sync(String self, Set<String> syncSet, Candidate... members) {
        return new ElectionInput(self, REGION, List.of(members), "m1", 0, true, syncSet, 1024 * 1024, null);
    }

    @Nested
    class Asynchronous {
        @Test
        void theMostAdvancedReplicaPromotesAndTheOthersWait() {
            Candidate[] ms = {member("m1", 0).withReachable(false), member("m2", 500), member("m3", 700)};
            assertThat(FailoverPolicy.decide(async("m3", "m1", 700, ms)).promote()).isTrue();
            ElectionResult m2 = FailoverPolicy.decide(async("m2", "m1", 700, ms));
            assertThat(m2.promote()).isFalse();
            assertThat(m2.reason()).contains("m3 is a better candidate");
        }

        @Test
        void tiesAreBrokenByPriorityThenName() {
            Candidate m2 = member("m2", 700);
            Candidate m3 = new Candidate("m3", REGION, false, 200, true, true, 700);
            assertThat(FailoverPolicy.decide(async("m3", "m1", 0, m2, m3)).promote()).isTrue();
            assertThat(FailoverPolicy.decide(async("m2", "m1", 0, m2, m3)).promote()).isFalse();

            Candidate a = member("a", 700);
            Candidate b = member("b", 700);
            assertThat(FailoverPolicy.decide(async("a", "m1", 0, a, b)).promote()).isTrue();
            assertThat(FailoverPolicy.decide(async("b", "m1", 0, a, b)).promote()).isFalse();
        }

        @Test
        void aNofailoverMemberNeverPromotesEvenWhenMostAdvanced() {
            Candidate tagged = new Candidate("m3", REGION, true, 100, true, true, 900);
            ElectionResult r = FailoverPolicy.decide(async("m3", "m1", 0, member("m2", 100), tagged));
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("nofailover");
            // ...and it does not block the best eligible member either.
            assertThat(FailoverPolicy.decide(async("m2", "m1", 0, member("m2", 100), tagged)).promote()).isTrue();
        }

        @Test
        void aMemberOutsideThePrimaryRegionNeverPromotes() {
            Candidate remote = new Candidate("m3", "syd", false, 100, true, true, 900);
            ElectionResult r = FailoverPolicy.decide(async("m3", "m1", 0, member("m2", 100), remote));
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("outside the primary region");
            assertThat(FailoverPolicy.decide(async("m2", "m1", 0, member("m2", 100), remote)).promote()).isTrue();
        }

        @Test
        void anUnhealthySelfWaits() {
            Candidate sick = new Candidate("m2", REGION, false, 100, true, false, 900);
            ElectionResult r = FailoverPolicy.decide(async("m2", "m1", 0, sick, member("m3", 100)));
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("not healthy");
        }

        @Test
        void anUnreachableRivalIsIgnored() {
            Candidate gone = member("m3", 900).withReachable(false);
            assertThat(FailoverPolicy.decide(async("m2", "m1", 0, member("m2", 100), gone)).promote()).isTrue();
        }

        @Test
        void aCandidateLaggingMoreThanTheMaximumIsRefusedWithTheReason() {
            long lastPrimary = 10L * 1024 * 1024;
            ElectionResult r = FailoverPolicy.decide(async("m2", "m1", lastPrimary, member("m2", 1024)));
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("lags the former primary by " + (lastPrimary - 1024) + " bytes");
        }

        @Test
        void anUnknownFormerPositionDoesNotBlock() {
            assertThat(FailoverPolicy.decide(async("m2", "m1", 0, member("m2", 1024))).promote()).isTrue();
        }

        @Test
        void theFormerPrimaryIsNotARival() {
            Candidate former = member("m1", 5000);
            assertThat(FailoverPolicy.decide(async("m2", "m1", 0, former, member("m2", 100))).promote()).isTrue();
            assertThat(FailoverPolicy.decide(async("m1", "m1", 0, former, member("m2", 100))).promote()).isFalse();
        }

        @Test
        void aSingleMemberThatLedBeforeTakesOverAgain() {
            assertThat(FailoverPolicy.decide(async("m1", "m1", 0, member("m1", 5000))).promote()).isTrue();
        }

        @Test
        void aMemberMissingFromTheConfigurationWaits() {
            ElectionResult r = FailoverPolicy.decide(async("m9", "m1", 0, member("m2", 1)));
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("not a member");
        }
    }

    @Nested
    class Synchronous {
        @Test
        void onlyAMemberOfTheSynchronousSetMayPromote() {
            Candidate m2 = member("m2", 100);
            Candidate m3 = member("m3", 900);
            ElectionResult outsider = FailoverPolicy.decide(sync("m3", Set.of("m2"), m2, m3));
            assertThat(outsider.promote()).isFalse();
            assertThat(outsider.reason()).contains("not in the synchronous set");
            assertThat(FailoverPolicy.decide(sync("m2", Set.of("m2"), m2, m3)).promote()).isTrue();
        }

        @Test
        void theMostAdvancedSetMemberWins() {
            Candidate m2 = member("m2", 100);
            Candidate m3 = member("m3", 900);
            assertThat(FailoverPolicy.decide(sync("m3", Set.of("m2", "m3"), m2, m3)).promote()).isTrue();
            assertThat(FailoverPolicy.decide(sync("m2", Set.of("m2", "m3"), m2, m3)).promote()).isFalse();
        }

        @Test
        void anUnreachableOrDownSetMemberBlocksPromotion() {
            Candidate m2 = member("m2", 900);
            for (Candidate m3 : List.of(member("m3", 100).withReachable(false),
                    new Candidate("m3", REGION, false, 100, true, false, 100))) {
                ElectionResult r = FailoverPolicy.decide(sync("m2", Set.of("m2", "m3"), m2, m3));
                assertThat(r.promote()).isFalse();
                assertThat(r.reason()).contains("synchronous standby m3");
            }
        }

        @Test
        void lagDoesNotMatterInSynchronousMode() {
            ElectionInput in = new ElectionInput("m2", REGION, List.of(member("m2", 1)), "m1", 1L << 40, true,
                    Set.of("m2"), 1024, null);
            assertThat(FailoverPolicy.decide(in).promote()).isTrue();
        }
    }

    @Test
    void aSwitchoverTargetIsTheOnlyOneToPromote() {
        Candidate m2 = member("m2", 900);
        Candidate m3 = member("m3", 100);
        ElectionInput toM3 = new ElectionInput("m3", REGION, List.of(m2, m3), "m1", 0, false, Set.of(), 1024, "m3");
        assertThat(FailoverPolicy.decide(toM3).promote()).isTrue();
        ElectionInput m2View = new ElectionInput("m2", REGION, List.of(m2, m3), "m1", 0, false, Set.of(), 1024, "m3");
        ElectionResult r = FailoverPolicy.decide(m2View);
        assertThat(r.promote()).isFalse();
        assertThat(r.reason()).contains("switchover to m3");
    }

    /**
     * Over thousands of random cluster states, every member runs the decision on the same input:
     * at most one promotes, and in asynchronous mode it is the most advanced eligible rival.
     */
    @Test
    void atMostOneMemberPromotesOverRandomStates() {
        Random random = new Random(20261124);
        int promotions = 0;
        for (int i = 0; i < 20_000; i++) {
            int n = 2 + random.nextInt(4);
            List<Candidate> members = new ArrayList<>();
            for (int k = 1; k <= n; k++) {
                members.add(new Candidate("m" + k, random.nextInt(5) == 0 ? "syd" : REGION, random.nextInt(6) == 0,
                        random.nextInt(3) * 50, random.nextInt(5) != 0, random.nextInt(6) != 0, random.nextInt(4) * 1000L));
            }
            boolean synchronous = random.nextBoolean();
            Set<String> syncSet = new TreeSet<>();
            members.stream().filter(c -> random.nextBoolean()).forEach(c -> syncSet.add(c.name()));
            String former = "m" + (1 + random.nextInt(n));
            long lastPrimary = random.nextInt(3) * 1500L;
            List<String> promoted = new ArrayList<>();
            for (Candidate self : members) {
                ElectionInput in = new ElectionInput(self.name(), REGION, members, former, lastPrimary, synchronous,
                        syncSet, 1000, null);
                if (FailoverPolicy.decide(in).promote()) {
                    promoted.add(self.name());
                }
            }
            assertThat(promoted).as("state %d: %s", i, members).hasSizeLessThanOrEqualTo(1);
            if (promoted.size() == 1) {
                promotions++;
                Candidate winner = members.stream().filter(c -> c.name().equals(promoted.getFirst())).findFirst().orElseThrow();
                assertThat(FailoverPolicy.ineligibility(winner, REGION)).isEmpty();
                Optional<Candidate> better = members.stream()
                        .filter(c -> !c.name().equals(former))
                        .filter(c -> FailoverPolicy.ineligibility(c, REGION).isEmpty())
                        .filter(c -> !synchronous || syncSet.contains(c.name()))
                        .filter(c -> synchronous || lastPrimary <= 0 || lastPrimary - c.walPosition() <= 1000)
                        .min(FailoverPolicy.BEST_FIRST);
                if (!(winner.name().equals(former))) {
                    assertThat(better).contains(winner);
                }
                if (synchronous && !winner.name().equals(former)) {
                    assertThat(syncSet).contains(winner.name());
                }
            }
        }
        assertThat(promotions).as("the generator reaches promotions at all").isGreaterThan(1000);
    }

    @Test
    void bestFirstOrdersByWalThenPriorityThenName() {
        List<Candidate> sorted = new ArrayList<>(List.of(member("b", 5), member("a", 5), member("c", 9),
                new Candidate("d", REGION, false, 300, true, true, 5)));
        sorted.sort(FailoverPolicy.BEST_FIRST);
        assertThat(sorted.stream().map(Candidate::name)).containsExactly("c", "d", "a", "b");
        assertThat(sorted.stream().sorted(Comparator.comparing(Candidate::name)).map(Candidate::name))
                .containsExactly("a", "b", "c", "d");
    }
}
