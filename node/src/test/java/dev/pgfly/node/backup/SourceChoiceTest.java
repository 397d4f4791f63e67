package dev.pgfly.node.backup;

import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A snapshot's source, from {@code status}'s view of the cluster. */
class SourceChoiceTest {

    private static MemberView member(String name, String role, String state, int timeline, boolean streaming, long lag) {
        return new MemberView(name, role, state, "fra", "127.0.1." + name.charAt(1), 5432, 11L, 21L, null, "0/0",
                timeline, lag, 0.0, false, streaming, role.equals("replica") ? "m1" : null, null, null);
    }

    private static ClusterView cluster(MemberView... members) {
        return new ClusterView("shop", "ha", "running", "fra", false, 4, "m1", null, List.of(members), List.of(), 0, false);
    }

    private static final MemberView PRIMARY = member("m1", "primary", "running", 5, false, 0);

    @Test
    void theLeastLaggingHealthyReplica() {
        assertThat(SourceChoice.choose(cluster(PRIMARY, member("m2", "replica", "running", 5, true, 900),
                member("m3", "replica", "running", 5, true, 100)))).map(MemberView::name).hasValue("m3");
    }

    /**
     * New with the one rule: a replica "running" and streaming a timeline older than the leader's (the
     * view shows both) holds a history the cluster left; before, it could be the snapshot's source.
     */
    @Test
    void neverAReplicaOnAnOlderTimelineThanTheLeaders() {
        assertThat(SourceChoice.choose(cluster(PRIMARY, member("m2", "replica", "running", 4, true, 0))))
                .map(MemberView::name).hasValue("m1");
    }

    @Test
    void thePrimaryWhenNoReplicaIsHealthy() {
        assertThat(SourceChoice.choose(cluster(PRIMARY, member("m2", "replica", "catching up", 5, true, 0),
                member("m3", "replica", "agent down", 5, true, 0), member("m4", "replica", "running", 5, false, 0))))
                .map(MemberView::name).hasValue("m1");
        assertThat(SourceChoice.choose(cluster(member("m1", "primary", "idle", 5, false, 0)))).isEmpty();
    }
}
