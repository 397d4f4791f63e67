package dev.pgfly.core.ha;

import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link FailoverPolicy#decide(ElectionInput)} as a pure function: no processes, no store. Every
 * scenario is evaluated from the point of view of each member, as the agents do in a real cluster.
 */
class FailoverPolicyTest {
    private static final String REGION = "fra";
    private static final long MB = 1024 * 1024;

    // ------------------------------------------------------------------ fixtures

    /** A healthy, reachable member of the primary region, without tags, at the default priority. */
    private static Candidate m(String name, long wal) {
        return new Candidate(name, REGION, false, 100, true, true, wal);
    }

    private static Candidate priority(Candidate c, int priority) {
        return new Candidate(c.name(), c.region(), c.noFailover(), priority, c.reachable(), c.healthy(), c.walPosition(),
                c.timeline(), c.inStore());
    }

    private static Candidate unreachable(Candidate c) {
        return c.withReachable(false);
    }

    private static Candidate unhealthy(Candidate c) {
        return new Candidate(c.name(), c.region(), c.noFailover(), c.priority(), c.reachable(), false, c.walPosition(),
                c.timeline(), c.inStore());
    }

    private static Candidate noFailover(Candidate c) {
        return new Candidate(c.name(), c.region(), true, c.priority(), c.reachable(), c.healthy(), c.walPosition(),
                c.timeline(), c.inStore());
    }

    private static Candidate inRegion(Candidate c, String region) {
        return new Candidate(c.name(), region, c.noFailover(), c.priority(), c.reachable(), c.healthy(), c.walPosition(),
                c.timeline(), c.inStore());
    }

    private static Candidate onTimeline(Candidate c, int timeline) {
        return new Candidate(c.name(), c.region(), c.noFailover(), c.priority(), c.reachable(), c.healthy(),
                c.walPosition(), timeline, c.inStore());
    }

    /** Reachable, healthy and in the store: a member that could take the leader node now. */
    private static boolean canLead(Candidate c) {
        return c.reachable() && c.healthy() && c.inStore();
    }

    /** Its agent answers, but its session is gone from the store: it cannot take the leader node. */
    private static Candidate outOfStore(Candidate c) {
        return new Candidate(c.name(), c.region(), c.noFailover(), c.priority(), c.reachable(), c.healthy(),
                c.walPosition(), c.timeline(), false);
    }

    /** The shared part of an election; {@link #as(String)} gives the input one member evaluates. */
    private static final class Election {
        private final List<Candidate> members;
        private String primaryRegion = REGION;
        private String former;
        private long lastPrimary;
        private boolean synchronous;
        private Set<String> syncSet = Set.of();
        private long maxLag = MB;
        private String target;

        private Election(List<Candidate> members) {
            this.members = members;
        }

        Election former(String name) {
            former = name;
            return this;
        }

        Election lastPrimary(long position) {
            lastPrimary = position;
            return this;
        }

        Election maxLag(long bytes) {
            maxLag = bytes;
            return this;
        }

        Election region(String region) {
            primaryRegion = region;
            return this;
        }

        Election sync(String... set) {
            synchronous = true;
            syncSet = Set.of(set);
            return this;
        }

        Election switchoverTo(String name) {
            target = name;
            return this;
        }

        ElectionInput as(String self) {
            return new ElectionInput(self, primaryRegion, members, former, lastPrimary, synchronous, syncSet, maxLag, target);
        }

        ElectionResult decide(String self) {
            return FailoverPolicy.decide(as(self));
        }

        /** The members that decide to promote when each of them evaluates this election. */
        List<String> promoted() {
            return members.stream().map(Candidate::name).filter(n -> decide(n).promote()).toList();
        }
    }

    private static Election election(Candidate... members) {
        return new Election(List.of(members));
    }

    // ------------------------------------------------------------------ membership and eligibility of self

    @Nested
    @DisplayName("the deciding member itself")
    class Self {
        @Test
        void aMemberMissingFromTheConfigurationWaits() {
            ElectionResult r = election(m("m1", 100), m("m2", 900)).former("m1").decide("m9");
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("m9").contains("not a member of the cluster configuration");
        }

        @Test
        void anEmptyConfigurationPromotesNobody() {
            ElectionResult r = election().decide("m1");
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("not a member");
        }

        @Test
        void aNofailoverMemberNeverPromotesEvenWhenAloneAndMostAdvanced() {
            Election e = election(noFailover(m("m2", 9000)), m("m3", 100)).former("m1");
            ElectionResult r = e.decide("m2");
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("m2 is tagged nofailover");
            assertThat(e.promoted()).containsExactly("m3");

            assertThat(election(noFailover(m("m1", 9000))).former("m1").promoted()).isEmpty();
        }

        @Test
        void aMemberOutsideThePrimaryRegionNeverPromotes() {
            Election e = election(inRegion(m("m2", 9000), "syd"), m("m3", 100)).former("m1");
            ElectionResult r = e.decide("m2");
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("m2 is outside the primary region fra");
            assertThat(e.promoted()).containsExactly("m3");
        }

        @Test
        void aMemberWithoutARegionIsOutsideAConfiguredPrimaryRegion() {
            assertThat(election(inRegion(m("m2", 10), null)).former("m1").decide("m2").promote()).isFalse();
        }

        @Test
        void withoutAPrimaryRegionEveryRegionIsEligible() {
            Election e = election(inRegion(m("m2", 900), "syd"), inRegion(m("m3", 100), "fra")).former("m1").region(null);
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void anUnhealthySelfWaits() {
            ElectionResult r = election(unhealthy(m("m2", 9000)), m("m3", 100)).former("m1").decide("m2");
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("m2 is not healthy");
        }

        @Test
        void anUnreachableSelfWaits() {
            ElectionResult r = election(unreachable(m("m2", 9000))).former("m1").decide("m2");
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("m2 is unreachable");
        }

        @Test
        void theNofailoverTagIsReportedBeforeOtherReasons() {
            Candidate everythingWrong = unhealthy(unreachable(inRegion(noFailover(m("m2", 1)), "syd")));
            assertThat(election(everythingWrong).decide("m2").reason()).contains("nofailover");
        }
    }

    // ------------------------------------------------------------------ asynchronous replication

    @Nested
    @DisplayName("asynchronous replication")
    class Asynchronous {
        @Test
        void theMostAdvancedReplicaPromotesAndTheOthersSayWhoIsBetter() {
            Election e = election(unreachable(m("m1", 0)), m("m2", 500), m("m3", 700), m("m4", 600))
                    .former("m1").lastPrimary(700);
            assertThat(e.promoted()).containsExactly("m3");
            assertThat(e.decide("m3").reason()).contains("m3 is the most advanced eligible member");
            ElectionResult m2 = e.decide("m2");
            assertThat(m2.promote()).isFalse();
            assertThat(m2.reason()).contains("m3 is a better candidate").contains("700").contains("500");
            assertThat(e.decide("m4").reason()).contains("m3 is a better candidate");
        }

        @Test
        void theWalPositionBeatsPriority() {
            Election e = election(priority(m("m2", 500), 1000), priority(m("m3", 501), 0)).former("m1");
            assertThat(e.promoted()).containsExactly("m3");
        }

        @Test
        void equalPositionsAreBrokenByTheHigherPriority() {
            Election e = election(priority(m("a", 700), 100), priority(m("z", 700), 200)).former("m1");
            assertThat(e.promoted()).containsExactly("z");
        }

        @Test
        void equalPositionsAndPrioritiesAreBrokenByTheName() {
            assertThat(election(m("b", 700), m("a", 700), m("c", 700)).former("m1").promoted()).containsExactly("a");
            assertThat(election(m("m10", 700), m("m9", 700)).former("m1").promoted())
                    .as("names compare as strings").containsExactly("m10");
        }

        @Test
        void theOrderOfTheMemberListDoesNotMatter() {
            List<Candidate> members = new ArrayList<>(List.of(m("m2", 500), m("m3", 700), priority(m("m4", 700), 150),
                    m("m5", 100)));
            for (int i = 0; i < 10; i++) {
                Collections.shuffle(members, new Random(i));
                assertThat(new Election(List.copyOf(members)).former("m1").promoted()).containsExactly("m4");
            }
        }

        @Test
        void anUnreachableRivalIsIgnoredEvenWhenMoreAdvanced() {
            Election e = election(m("m2", 100), unreachable(m("m3", 900))).former("m1");
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void anUnhealthyRivalIsIgnoredEvenWhenMoreAdvanced() {
            Election e = election(m("m2", 100), unhealthy(m("m3", 900))).former("m1");
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void anIneligibleRivalDoesNotBlockTheBestEligibleMember() {
            Election e = election(m("m2", 100), noFailover(m("m3", 900)), inRegion(m("m4", 950), "syd")).former("m1");
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void aCandidateLaggingMoreThanTheMaximumIsRefusedWithTheLagInTheReason() {
            long lastPrimary = 10 * MB;
            ElectionResult r = election(m("m2", 1024)).former("m1").lastPrimary(lastPrimary).maxLag(MB).decide("m2");
            assertThat(r.promote()).isFalse();
            assertThat(r.reason())
                    .contains("m2 lags the former primary by " + (lastPrimary - 1024) + " bytes")
                    .contains("more than the maximum of " + MB);
        }

        @Test
        void aLagOfExactlyTheMaximumIsAccepted() {
            Election atMax = election(m("m2", 10 * MB - MB)).former("m1").lastPrimary(10 * MB).maxLag(MB);
            assertThat(atMax.promoted()).containsExactly("m2");
            Election oneByteMore = election(m("m2", 10 * MB - MB - 1)).former("m1").lastPrimary(10 * MB).maxLag(MB);
            assertThat(oneByteMore.promoted()).isEmpty();
        }

        @Test
        void aZeroMaximumLagRequiresAFullyCaughtUpReplica() {
            assertThat(election(m("m2", 5000)).former("m1").lastPrimary(5000).maxLag(0).promoted()).containsExactly("m2");
            assertThat(election(m("m2", 4999)).former("m1").lastPrimary(5000).maxLag(0).promoted()).isEmpty();
        }

        @Test
        void anUnknownFormerPositionSkipsTheLagCheck() {
            Election e = election(m("m2", 1)).former("m1").lastPrimary(0).maxLag(0);
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void aReplicaAheadOfTheLastPublishedPrimaryPositionPromotes() {
            assertThat(election(m("m2", 9000)).former("m1").lastPrimary(5000).maxLag(0).promoted()).containsExactly("m2");
        }

        @Test
        void whenTheBestReplicaLagsTooMuchNobodyPromotes() {
            // the less advanced one lags even more: it must not take over in place of the best one
            Election e = election(m("m2", 2 * MB), m("m3", MB)).former("m1").lastPrimary(10 * MB).maxLag(MB);
            assertThat(e.promoted()).isEmpty();
            assertThat(e.decide("m2").reason()).contains("lags the former primary");
        }

        @Test
        void theFormerPrimaryIsNotARivalEvenWhenMoreAdvanced() {
            Election e = election(m("m1", 5000), m("m2", 100)).former("m1");
            assertThat(e.promoted()).containsExactly("m2");
            ElectionResult formerView = e.decide("m1");
            assertThat(formerView.promote()).isFalse();
            assertThat(formerView.reason()).contains("m2 is a better candidate");
        }

        @Test
        void aSingleMemberThatLedBeforeTakesOverAgain() {
            Election e = election(m("m1", 5000)).former("m1").lastPrimary(5000);
            assertThat(e.promoted()).containsExactly("m1");
        }

        @Test
        void theFormerPrimaryTakesOverWhenNoOtherMemberIsEligible() {
            Election e = election(m("m1", 5000), unreachable(m("m2", 4000)), noFailover(m("m3", 4000)),
                    unhealthy(m("m4", 4000))).former("m1");
            assertThat(e.promoted()).containsExactly("m1");
        }

        @Test
        void onAFreshClusterWithoutFormerPrimaryTheBestMemberPromotes() {
            Election e = election(m("m1", 0), m("m2", 0), priority(m("m3", 0), 101));
            assertThat(e.promoted()).containsExactly("m3");
        }

        /**
         * The lag rule makes m2 ineligible ("it must not lag the former primary by more than the
         * configured maximum", class javadoc), yet m2 still counts as the better rival of the former
         * primary m1, which holds every byte. Nobody can promote: m2 refuses because of its lag, m1
         * waits for m2 ("m2 is a better candidate (WAL 1024 vs 10485760)"). Were m2 unreachable
         * instead, m1 would take over (see theFormerPrimaryTakesOverWhenNoOtherMemberIsEligible), so
         * a reachable-but-disqualified replica blocks the failover more than a dead one does, and the
         * cluster stays leaderless until an operator steps in (the replica cannot catch up without a
         * primary). The rivals of the async branch are not filtered by the lag rule.
         */
        @Test
        void aReplicaThatMayNotPromoteBecauseOfItsLagDoesNotBlockTheFormerPrimary() {
            Election e = election(m("m1", 10 * MB), m("m2", 1024)).former("m1").lastPrimary(10 * MB).maxLag(MB);
            assertThat(e.decide("m2").promote()).as("m2 lags by ~10 MB").isFalse();
            assertThat(e.promoted()).containsExactly("m1");
        }
    }

    // ------------------------------------------------------------------ timelines and store sessions

    @Nested
    @DisplayName("timelines and store sessions")
    class Timelines {
        /**
         * The case seen on 2026-12-07: m1 was promoted to timeline 2 and the whole cluster stopped before m2
         * followed. Electing m2 (timeline 1, the same position) would make a second, different timeline 2.
         */
        @Test
        void aFormerPrimaryAloneOnTheNewestTimelineLeadsAgain() {
            Election e = election(onTimeline(m("m1", 5000), 2), onTimeline(m("m2", 5000), 1), onTimeline(m("m3", 4000), 1))
                    .former("m1");
            assertThat(e.promoted()).containsExactly("m1");
            assertThat(e.decide("m2").reason()).isEqualTo("the former primary m1 alone holds timeline 2 (m2 is on 1): it leads again");
        }

        @Test
        void soItDoesWithSynchronousReplication() {
            Election e = election(onTimeline(m("m1", 5000), 2), onTimeline(m("m2", 5000), 1), onTimeline(m("m3", 5000), 1))
                    .former("m1").sync("m2", "m3");
            assertThat(e.promoted()).containsExactly("m1");
        }

        @Test
        void aFormerPrimaryOnTheNewestTimelineWithoutASessionDoesNotHoldTheOthersBack() {
            Election e = election(outOfStore(onTimeline(m("m1", 5000), 2)), onTimeline(m("m2", 5000), 1)).former("m1");
            assertThat(e.decide("m2").promote()).isTrue();
        }

        @Test
        void aFormerPrimaryThatSharesTheNewestTimelineIsStillNoRival() {
            Election e = election(onTimeline(m("m1", 5000), 2), onTimeline(m("m2", 4000), 2)).former("m1");
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void aFormerPrimaryTaggedNofailoverNeverLeadsAgain() {
            Election e = election(noFailover(onTimeline(m("m1", 5000), 2)), onTimeline(m("m2", 5000), 1)).former("m1");
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void theNewerTimelineBeatsAFurtherPositionOnAnOlderOne() {
            Election e = election(onTimeline(m("m2", 4000), 3), onTimeline(m("m3", 6000), 2)).former("m1");
            assertThat(e.promoted()).containsExactly("m2");
            assertThat(e.decide("m3").reason()).isEqualTo("m2 is a better candidate (timeline 3 vs 2)");
        }

        @Test
        void anAsyncRivalWithoutASessionDoesNotBlockAFailoverItCannotWin() {
            Election e = election(outOfStore(m("m2", 9000)), m("m3", 5000)).former("m1");
            assertThat(e.promoted()).containsExactly("m3");
            assertThat(e.decide("m2").reason()).isEqualTo("m2 has no live session in the store");
        }

        @Test
        void aSynchronousStandbyWithoutASessionStillBlocksTheOthersWhenMoreAdvanced() {
            // It may hold the only copy of an acknowledged commit (S2): waiting is the price of RPO 0.
            Election e = election(outOfStore(m("m2", 9000)), m("m3", 5000)).former("m1").sync("m2", "m3");
            assertThat(e.decide("m3").promote()).isFalse();
        }
    }

    // ------------------------------------------------------------------ synchronous replication

    @Nested
    @DisplayName("synchronous replication")
    class Synchronous {
        @Test
        void aMemberOutsideTheSynchronousSetRefusesEvenWhenMostAdvanced() {
            Election e = election(m("m2", 100), m("m3", 900)).former("m1").sync("m2");
            ElectionResult outsider = e.decide("m3");
            assertThat(outsider.promote()).isFalse();
            assertThat(outsider.reason()).contains("m3 is not in the synchronous set").contains("m2");
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void theMostAdvancedSetMemberWinsEvenIfANonSetMemberIsMoreAdvanced() {
            Election e = election(m("m2", 500), m("m3", 300), m("m4", 900)).former("m1").sync("m2", "m3");
            assertThat(e.promoted()).containsExactly("m2");
            assertThat(e.decide("m3").reason()).contains("m2 is a better candidate");
            assertThat(e.decide("m4").reason()).contains("not in the synchronous set");
        }

        @Test
        void setMembersAtTheSamePositionAreOrderedByPriorityThenName() {
            assertThat(election(m("m2", 500), priority(m("m3", 500), 150)).former("m1").sync("m2", "m3").promoted())
                    .containsExactly("m3");
            assertThat(election(m("m3", 500), m("m2", 500)).former("m1").sync("m2", "m3").promoted())
                    .containsExactly("m2");
        }

        @Test
        void anUnreachableSetMemberMakesEveryoneWait() {
            Election e = election(m("m2", 900), unreachable(m("m3", 100))).former("m1").sync("m2", "m3");
            ElectionResult r = e.decide("m2");
            assertThat(r.promote()).isFalse();
            assertThat(r.reason()).contains("synchronous standby m3 is unreachable or down");
            assertThat(e.promoted()).isEmpty();
        }

        @Test
        void anUnhealthySetMemberMakesEveryoneWait() {
            Election e = election(m("m2", 900), unhealthy(m("m3", 100))).former("m1").sync("m2", "m3");
            assertThat(e.decide("m2").reason()).contains("synchronous standby m3");
            assertThat(e.promoted()).isEmpty();
        }

        @Test
        void anUnreachableMemberOutsideTheSetDoesNotBlock() {
            Election e = election(m("m2", 500), unreachable(m("m3", 900))).former("m1").sync("m2");
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void theFormerPrimaryInTheSetIsNeitherARivalNorABlocker() {
            Election e = election(unreachable(m("m1", 9000)), m("m2", 500)).former("m1").sync("m1", "m2");
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void lagDoesNotMatterInSynchronousMode() {
            Election e = election(m("m2", 1)).former("m1").lastPrimary(1L << 40).maxLag(0).sync("m2");
            assertThat(e.promoted()).containsExactly("m2");
        }

        @Test
        void anEmptySynchronousSetPromotesNobody() {
            Election e = election(m("m2", 500), m("m3", 900)).former("m1").sync();
            assertThat(e.promoted()).isEmpty();
        }

        @Test
        void aMoreAdvancedSetMemberThatMayNotPromoteStillBlocksTheOthers() {
            // m3 may hold acknowledged commits that m2 lacks: promoting m2 would lose them
            Election e = election(m("m2", 500), noFailover(m("m3", 900))).former("m1").sync("m2", "m3");
            assertThat(e.promoted()).isEmpty();
        }

        /**
         * The agent's SyncStandbys records only standbys, never the primary itself, so a former primary
         * is never in the synchronous set. For a single-member cluster with synchronous replication the
         * recorded set is empty, and after its PostgreSQL restarts (leader node gone with the session)
         * the only member waits forever with "m1 is not in the synchronous set [] and may lack
         * acknowledged transactions", which cannot be true of the former primary itself. Asynchronous
         * mode lets the former primary take over again in exactly this situation
         * (Asynchronous#aSingleMemberThatLedBeforeTakesOverAgain).
         */
        @Test
        void aSingleMemberThatLedBeforeTakesOverAgain() {
            Election e = election(m("m1", 5000)).former("m1").sync();
            assertThat(e.promoted()).containsExactly("m1");
        }

        @Test
        void setNamesThatAreNotMembersAreIgnored() {
            Election e = election(m("m2", 500)).former("m1").sync("m2", "gone");
            assertThat(e.promoted()).containsExactly("m2");
        }
    }

    // ------------------------------------------------------------------ planned switchover

    @Nested
    @DisplayName("planned switchover")
    class Switchover {
        @Test
        void onlyTheTargetPromotesEvenWhenOthersAreMoreAdvanced() {
            Election e = election(m("m2", 900), m("m3", 100), m("m4", 800)).former("m1").switchoverTo("m3");
            assertThat(e.promoted()).containsExactly("m3");
            assertThat(e.decide("m3").reason()).contains("chosen by the switchover");
            ElectionResult other = e.decide("m2");
            assertThat(other.promote()).isFalse();
            assertThat(other.reason()).contains("switchover to m3 in progress");
        }

        @Test
        void theTargetNeedsNoSynchronousSetMembershipNorLagCheck() {
            Election sync = election(m("m2", 900), m("m3", 100)).former("m1").sync("m2").switchoverTo("m3");
            assertThat(sync.promoted()).containsExactly("m3");
            Election lagging = election(m("m2", 900), m("m3", 100)).former("m1").lastPrimary(10 * MB).maxLag(0)
                    .switchoverTo("m3");
            assertThat(lagging.promoted()).containsExactly("m3");
        }

        @Test
        void anIneligibleTargetDoesNotPromoteAndNobodyElseDoes() {
            for (Candidate target : List.of(noFailover(m("m3", 100)), unhealthy(m("m3", 100)),
                    unreachable(m("m3", 100)), inRegion(m("m3", 100), "syd"))) {
                Election e = election(m("m2", 900), target).former("m1").switchoverTo("m3");
                assertThat(e.promoted()).as("target %s", target).isEmpty();
            }
        }

        @Test
        void aTargetThatIsNotAMemberBlocksEveryone() {
            Election e = election(m("m2", 900), m("m3", 100)).former("m1").switchoverTo("m9");
            assertThat(e.promoted()).isEmpty();
            assertThat(e.decide("m2").reason()).contains("switchover to m9");
        }
    }

    // ------------------------------------------------------------------ the building blocks

    @Nested
    @DisplayName("ineligibility and BEST_FIRST")
    class BuildingBlocks {
        @Test
        void ineligibilityNamesTheReason() {
            assertThat(FailoverPolicy.ineligibility(m("m2", 1), REGION)).isEmpty();
            assertThat(FailoverPolicy.ineligibility(m("m2", 1), null)).isEmpty();
            assertThat(FailoverPolicy.ineligibility(noFailover(m("m2", 1)), REGION)).contains("m2 is tagged nofailover");
            assertThat(FailoverPolicy.ineligibility(inRegion(m("m2", 1), "syd"), REGION))
                    .contains("m2 is outside the primary region fra");
            assertThat(FailoverPolicy.ineligibility(unreachable(m("m2", 1)), REGION)).contains("m2 is unreachable");
            assertThat(FailoverPolicy.ineligibility(unhealthy(m("m2", 1)), REGION)).contains("m2 is not healthy");
        }

        @Test
        void bestFirstOrdersByWalDescendingThenPriorityDescendingThenName() {
            List<Candidate> sorted = new ArrayList<>(List.of(m("b", 5), m("a", 5), m("c", 9), priority(m("d", 5), 300),
                    priority(m("e", 9), 0)));
            sorted.sort(FailoverPolicy.BEST_FIRST);
            assertThat(sorted).extracting(Candidate::name).containsExactly("c", "e", "d", "a", "b");
        }

        @Test
        void withReachableKeepsEverythingElse() {
            Candidate c = new Candidate("m2", "syd", true, 7, true, false, 42);
            assertThat(c.withReachable(false)).isEqualTo(new Candidate("m2", "syd", true, 7, false, false, 42));
        }

        @Test
        void theInputIsADefensiveCopy() {
            List<Candidate> members = new ArrayList<>(List.of(m("m2", 1)));
            Set<String> set = new LinkedHashSet<>(Set.of("m2"));
            ElectionInput in = new ElectionInput("m2", REGION, members, null, 0, true, set, 0, null);
            members.clear();
            set.clear();
            assertThat(in.members()).hasSize(1);
            assertThat(in.syncSet()).containsExactly("m2");
            assertThat(FailoverPolicy.decide(in).promote()).isTrue();
        }
    }

    // ------------------------------------------------------------------ properties over random states

    private static boolean eligible(Candidate c) {
        return FailoverPolicy.ineligibility(c, REGION).isEmpty();
    }

    /**
     * Thousands of random cluster states; every member evaluates the same input (differing only in
     * {@code self}). At most one promotes; the winner is eligible; in asynchronous mode it is the most
     * advanced eligible member other than the former primary (or the former primary when there is
     * none); with synchronous replication it belongs to the set and every other set member is known;
     * a switchover promotes its target only; and the outcome does not depend on the order of members.
     */
    @Test
    void atMostOneMemberPromotesAndItIsTheRightOne() {
        Random random = new Random(0x5eed_f00dL);
        int promotions = 0;
        int asyncPromotions = 0;
        int syncPromotions = 0;
        int formerPromotions = 0;
        for (int i = 0; i < 4000; i++) {
            int n = 2 + random.nextInt(4);
            List<Candidate> members = new ArrayList<>();
            for (int k = 1; k <= n; k++) {
                members.add(new Candidate("m" + k, random.nextInt(6) == 0 ? "syd" : REGION, random.nextInt(6) == 0,
                        random.nextInt(3) * 50, random.nextInt(5) != 0, random.nextInt(6) != 0,
                        random.nextInt(4) * 1000L));
            }
            boolean synchronous = random.nextInt(3) == 0;
            Set<String> syncSet = new LinkedHashSet<>();
            for (Candidate c : members) {
                if (random.nextBoolean()) {
                    syncSet.add(c.name());
                }
            }
            String former = random.nextInt(5) == 0 ? null : "m" + (1 + random.nextInt(n));
            long lastPrimary = random.nextInt(3) * 1500L;
            long maxLag = random.nextBoolean() ? 1000 : 10_000;
            String target = random.nextInt(10) == 0 ? "m" + (1 + random.nextInt(n + 1)) : null;

            List<String> promoted = promoted(members, former, lastPrimary, synchronous, syncSet, maxLag, target);
            String state = "state " + i + ": members=" + members + " former=" + former + " lastPrimary=" + lastPrimary
                    + " sync=" + synchronous + " set=" + syncSet + " maxLag=" + maxLag + " target=" + target
                    + " promoted=" + promoted;
            if (promoted.size() > 1) {
                fail("more than one member promotes; " + state);
            }

            List<Candidate> shuffled = new ArrayList<>(members);
            Collections.shuffle(shuffled, random);
            if (!promoted.equals(promoted(shuffled, former, lastPrimary, synchronous, syncSet, maxLag, target))) {
                fail("the member order changes the outcome; " + state);
            }

            List<Candidate> rivals = members.stream()
                    .filter(c -> !c.name().equals(former))
                    .filter(FailoverPolicyTest::eligible)
                    .filter(c -> !synchronous || syncSet.contains(c.name()))
                    .filter(c -> synchronous || lastPrimary <= 0 || lastPrimary - c.walPosition() <= maxLag)
                    .toList();
            Optional<Candidate> best = rivals.stream().min(FailoverPolicy.BEST_FIRST);

            if (promoted.isEmpty()) {
                // liveness in the simplest case: async, no switchover, a best replica within the lag limit
                if (!synchronous && target == null && best.isPresent()
                        && (lastPrimary == 0 || lastPrimary - best.get().walPosition() <= maxLag)) {
                    fail("nobody promotes although " + best.get().name() + " is fit; " + state);
                }
                continue;
            }
            promotions++;
            Candidate winner = members.stream().filter(c -> c.name().equals(promoted.getFirst())).findFirst().orElseThrow();
            if (!eligible(winner)) {
                fail("an ineligible member promotes; " + state);
            }
            if (target != null) {
                if (!winner.name().equals(target)) {
                    fail("a member other than the switchover target promotes; " + state);
                }
                continue;
            }
            if (winner.name().equals(former)) {
                formerPromotions++;
                if (!rivals.isEmpty()) {
                    fail("the former primary promotes although " + rivals + " are eligible; " + state);
                }
            } else {
                long maxWal = rivals.stream().mapToLong(Candidate::walPosition).max().orElseThrow();
                if (winner.walPosition() != maxWal || !best.orElseThrow().equals(winner)) {
                    fail("the winner is not the best eligible member " + best + "; " + state);
                }
            }
            if (synchronous) {
                syncPromotions++;
                // the former primary holds every commit it acknowledged: as safe as a set member
                if (!syncSet.contains(winner.name()) && !winner.name().equals(former)) {
                    fail("a member outside the synchronous set promotes; " + state);
                }
                boolean allSetMembersKnown = members.stream()
                        .filter(c -> syncSet.contains(c.name()) && !c.name().equals(former))
                        .allMatch(c -> c.reachable() && c.healthy());
                if (!allSetMembersKnown) {
                    fail("promoted while a synchronous standby is unknown; " + state);
                }
            } else {
                asyncPromotions++;
                if (lastPrimary > 0 && lastPrimary - winner.walPosition() > maxLag) {
                    fail("the winner lags more than the maximum; " + state);
                }
            }
        }
        // the generator must actually exercise every branch
        assertThat(promotions).isGreaterThan(1000);
        assertThat(asyncPromotions).isGreaterThan(300);
        assertThat(syncPromotions).isGreaterThan(50);
        assertThat(formerPromotions).isGreaterThan(10);
    }

    private static List<String> promoted(List<Candidate> members, String former, long lastPrimary, boolean synchronous,
                                         Set<String> syncSet, long maxLag, String target) {
        List<String> result = new ArrayList<>();
        for (Candidate self : members) {
            ElectionInput in = new ElectionInput(self.name(), REGION, members, former, lastPrimary, synchronous, syncSet,
                    maxLag, target);
            if (FailoverPolicy.decide(in).promote()) {
                result.add(self.name());
            }
        }
        Collections.sort(result);
        return result;
    }

    /**
     * The same generator with timelines and store sessions: still at most one winner, whatever the order; the
     * winner has a live session; and no member that could lead stands on a newer timeline than the winner.
     */
    @Test
    void withTimelinesAndSessionsAtMostOneMemberPromotesOnTheNewestTimeline() {
        Random random = new Random(0x71e_11e5L);
        int promotions = 0;
        int formerOnNewer = 0;
        for (int i = 0; i < 4000; i++) {
            int n = 2 + random.nextInt(4);
            List<Candidate> members = new ArrayList<>();
            for (int k = 1; k <= n; k++) {
                members.add(new Candidate("m" + k, random.nextInt(8) == 0 ? "syd" : REGION, random.nextInt(8) == 0,
                        random.nextInt(3) * 50, random.nextInt(5) != 0, random.nextInt(6) != 0,
                        random.nextInt(4) * 1000L, 1 + random.nextInt(3), random.nextInt(5) != 0));
            }
            boolean synchronous = random.nextInt(3) == 0;
            Set<String> syncSet = new LinkedHashSet<>();
            members.forEach(c -> {
                if (random.nextBoolean()) {
                    syncSet.add(c.name());
                }
            });
            String former = random.nextInt(5) == 0 ? null : "m" + (1 + random.nextInt(n));
            List<String> promoted = promoted(members, former, 0, synchronous, syncSet, 10_000, null);
            String state = "state " + i + ": members=" + members + " former=" + former + " sync=" + synchronous
                    + " set=" + syncSet + " promoted=" + promoted;
            if (promoted.size() > 1) {
                fail("more than one member promotes; " + state);
            }
            List<Candidate> shuffled = new ArrayList<>(members);
            Collections.shuffle(shuffled, random);
            if (!promoted.equals(promoted(shuffled, former, 0, synchronous, syncSet, 10_000, null))) {
                fail("the member order changes the outcome; " + state);
            }
            if (promoted.isEmpty()) {
                continue;
            }
            promotions++;
            Candidate winner = members.stream().filter(c -> c.name().equals(promoted.getFirst())).findFirst().orElseThrow();
            if (!canLead(winner) || FailoverPolicy.ineligibility(winner, REGION).isPresent()) {
                fail("a member that cannot lead promotes; " + state);
            }
            boolean newerElsewhere = members.stream().anyMatch(c -> canLead(c) && c.timeline() > winner.timeline()
                    && FailoverPolicy.ineligibility(c, REGION).isEmpty()
                    && (!synchronous || syncSet.contains(c.name()) || c.name().equals(former))
                    && !c.name().equals(former));
            if (newerElsewhere) {
                fail("a member on a newer timeline could lead; " + state);
            }
            if (winner.name().equals(former) && members.stream().anyMatch(c -> !c.name().equals(former) && canLead(c))) {
                formerOnNewer++;
            }
        }
        assertThat(promotions).isGreaterThan(1000);
        assertThat(formerOnNewer).as("the former primary leading again over live rivals").isGreaterThan(20);
    }

    /** Exhaustive variant for two members: every combination of flags and a few positions. */
    @Test
    void everyTwoMemberStateHasAtMostOneWinner() {
        boolean[] tf = {true, false};
        long[] positions = {0, 500, 1000};
        int states = 0;
        for (boolean sync : tf) {
            for (String former : Arrays.asList(null, "m1", "m2", "m0")) {
                for (long w1 : positions) {
                    for (long w2 : positions) {
                        for (int flags = 0; flags < 1 << 8; flags++) {
                            Candidate a = new Candidate("m1", (flags & 1) == 0 ? REGION : "syd", (flags & 2) != 0, 100,
                                    (flags & 4) == 0, (flags & 8) == 0, w1);
                            Candidate b = new Candidate("m2", (flags & 16) == 0 ? REGION : "syd", (flags & 32) != 0,
                                    (flags & 64) == 0 ? 100 : 200, (flags & 128) == 0, true, w2);
                            for (Set<String> set : List.of(Set.<String>of(), Set.of("m1"), Set.of("m2"), Set.of("m1", "m2"))) {
                                List<String> p = promoted(List.of(a, b), former, 1000, sync, set, 400, null);
                                states++;
                                if (p.size() > 1) {
                                    fail("two winners: " + a + " " + b + " former=" + former + " sync=" + sync + " set=" + set);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(states).isEqualTo(2 * 4 * 3 * 3 * 256 * 4);
    }

    @Test
    void bestFirstIsAConsistentTotalOrderOnDistinctNames() {
        Random random = new Random(7);
        List<Candidate> cs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            cs.add(priority(m("m" + i, random.nextInt(4) * 10L), random.nextInt(3)));
        }
        Comparator<Candidate> order = FailoverPolicy.BEST_FIRST;
        for (Candidate x : cs) {
            for (Candidate y : cs) {
                int xy = Integer.signum(order.compare(x, y));
                assertThat(xy).isEqualTo(-Integer.signum(order.compare(y, x)));
                assertThat(xy == 0).isEqualTo(x.name().equals(y.name()));
                if (xy < 0) {
                    assertThat(x.walPosition() > y.walPosition()
                            || x.walPosition() == y.walPosition() && x.priority() > y.priority()
                            || x.walPosition() == y.walPosition() && x.priority() == y.priority()
                            && x.name().compareTo(y.name()) < 0).isTrue();
                }
            }
        }
    }

    /**
     * A planned switchover's target: the placement a failover needs plus the one healthy-replica rule. Before
     * that rule, a target was fit when it was "a streaming replica whose PostgreSQL has a pid": one that was
     * catching up, streaming a timeline the primary left, or far behind passed, and the primary then stopped
     * writes for up to 30 s waiting for a shutdown checkpoint such a target could not receive in time.
     */
    @Nested
    @DisplayName("switchover target")
    class SwitchoverTarget {
        private static final MemberSpec M2 = new MemberSpec("m2", "127.0.1.2", 5432, 8008, REGION, 100, false);

        private static MemberStatus replica(MemberState state, int timeline, long lag) {
            return new MemberStatus("m2", Role.REPLICA, state, null, "127.0.1.2", 5432, null, REGION, timeline, 0, 0, 0,
                    lag, 0.0, true, true, "m1", 4, 100, 200, 1);
        }

        private static Optional<String> problem(MemberSpec target, MemberStatus status) {
            return FailoverPolicy.switchoverIneligibility(target, status, REGION, MB, 4);
        }

        @Test
        void aSettledReplicaStreamingOnThePrimarysTimelineWithinTheLagLimitIsFit() {
            assertThat(problem(M2, replica(MemberState.RUNNING, 4, MB))).isEmpty();
        }

        @Test
        void aReplicaCatchingUpIsNotFit() {
            assertThat(problem(M2, replica(MemberState.CATCHING_UP, 4, 0)))
                    .hasValue("m2 is not settled (catching up)");
        }

        @Test
        void aReplicaStreamingAnOlderTimelineIsNotFit() {
            assertThat(problem(M2, replica(MemberState.RUNNING, 3, 0)))
                    .hasValue("m2 streams timeline 3, older than the leader's 4");
        }

        @Test
        void aReplicaLaggingMoreThanTheClustersMaximumIsNotFit() {
            assertThat(problem(M2, replica(MemberState.RUNNING, 4, MB + 1)))
                    .hasValue("m2 lags by " + (MB + 1) + " bytes, more than " + MB);
        }

        @Test
        void placementComesFirstAndSilenceIsNotFit() {
            MemberStatus healthy = replica(MemberState.RUNNING, 4, 0);
            assertThat(problem(new MemberSpec("m2", "127.0.1.2", 5432, 8008, REGION, 100, true), healthy))
                    .hasValue("m2 is tagged nofailover");
            assertThat(problem(new MemberSpec("m2", "127.0.1.2", 5432, 8008, "iad", 100, false), healthy))
                    .hasValue("m2 is outside the primary region " + REGION);
            assertThat(problem(M2, null)).hasValue("m2 does not answer");
        }
    }
}
