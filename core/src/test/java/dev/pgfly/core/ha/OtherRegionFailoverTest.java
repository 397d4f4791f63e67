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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OtherRegionFailoverTest {
    private static final ClusterSpec SPEC = new ClusterSpec("geo", "ha", "fra", false, 1000, "127.0.0.1", 6000, 6001, 15,
            List.of(member("m1", "fra", false), member("m2", "fra", false), member("m3", "syd", false),
            member("m4", "syd", true)), Map.of());

    private static MemberSpec member(String name, String region, boolean noFailover) {
        return new MemberSpec(name, "127.0.1." + name.substring(1), 5432, 8008, region, 100, noFailover);
    }

    private static MemberStatus replica(String name, String region, long received) {
        return new MemberStatus(name, Role.REPLICA, MemberState.LEADERLESS, null, "127.0.1." + name.substring(1), 5432,
                null, region, 3, 0, received, received, 0, 0.0, false, false, null, 4, 100, 200, 1);
    }

    private final Map<String, MemberStatus> published = new HashMap<>();

    private OtherRegionFailover.Verdict decide(String leader, String target) {
        return OtherRegionFailover.decide(SPEC, leader, published::get, target);
    }

    @Test
    void refusedWhileThePrimaryRegionHasAPrimaryOrAFitReplicaAndSaysWhich() {
        published.put("m3", replica("m3", "syd", 5000));
        assertThat(decide("m1", "m3")).isEqualTo(new OtherRegionFailover.Refused(
                "the primary region fra has a fit candidate: m1 is the primary"));
        published.put("m2", replica("m2", "fra", 4000));
        assertThat(decide(null, "m3")).isEqualTo(new OtherRegionFailover.Refused("the primary region fra has a fit"
                + " candidate: m2 (its agent promotes it once it is known to be the most advanced)"));
    }

    @Test
    void allowedWhenNobodyInThePrimaryRegionCanLead() {
        published.put("m3", replica("m3", "syd", 5000));
        // m1 is gone; m2 publishes but its PostgreSQL is down, so it cannot lead either.
        published.put("m2", new MemberStatus("m2", Role.REPLICA, MemberState.ERROR, null, "127.0.1.2", 5432, null, "fra",
                3, 0, 0, 0, 0, 0.0, false, false, null, 4, 100, 0, 1));
        assertThat(decide(null, "m3")).isEqualTo(new OtherRegionFailover.Allowed("syd", 5000));
    }

    @Test
    void theTargetMustBeAFitStandbyOutsideThePrimaryRegion() {
        assertThat(decide(null, "m1")).isInstanceOfSatisfying(OtherRegionFailover.Refused.class,
                r -> assertThat(r.reason()).isEqualTo("m1 is in the primary region fra: fail over to it without --allow-other-region"));
        assertThat(decide(null, "m3")).isEqualTo(new OtherRegionFailover.Refused("cannot promote m3: m3 is unreachable"));
        published.put("m4", replica("m4", "syd", 5000));
        assertThat(decide(null, "m4")).isEqualTo(new OtherRegionFailover.Refused("cannot promote m4: m4 is tagged nofailover"));
        assertThatThrownBy(() -> decide(null, "m9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cluster 'geo' has no member 'm9'");
    }
}
