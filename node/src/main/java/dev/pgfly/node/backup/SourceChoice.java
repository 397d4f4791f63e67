package dev.pgfly.node.backup;

import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;

import java.util.Comparator;
import java.util.Optional;

/** Which member a snapshot copies from: a healthy streaming replica (the least lagging) when there is one, else the primary. */
public final class SourceChoice {
    private SourceChoice() {
    }

    public static Optional<MemberView> choose(ClusterView cluster) {
        Optional<MemberView> replica = cluster.members().stream()
                .filter(m -> "replica".equals(m.role()) && "running".equals(m.state()) && m.streaming())
                .min(Comparator.comparingLong(MemberView::lagBytes).thenComparing(MemberView::name));
        if (replica.isPresent()) {
            return replica;
        }
        return cluster.members().stream().filter(m -> "primary".equals(m.role()) && "running".equals(m.state())).findFirst();
    }
}
