package dev.pgfly.node.backup;

import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;

import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * Which member a snapshot copies from: a healthy replica (the one rule, {@link MemberStatus#replicaProblem},
 * on the leader's timeline; the least lagging first) when there is one, else the running primary. A replica
 * on an older timeline than the leader's holds a history the cluster left: it is never a snapshot's source.
 */
public final class SourceChoice {
    private SourceChoice() {
    }

    public static Optional<MemberView> choose(ClusterView cluster) {
        int leaderTimeline = cluster.members().stream().filter(m -> m.name().equals(cluster.leader()))
                .mapToInt(MemberView::timeline).findFirst().orElse(0);
        // Any lag will do: the snapshot is consistent at whatever point it copies; the least lagging is preferred.
        Optional<MemberView> replica = cluster.members().stream()
                .filter(m -> asPublished(m).isHealthyReplica(Long.MAX_VALUE, leaderTimeline))
                .min(Comparator.comparingLong(MemberView::lagBytes).thenComparing(MemberView::name));
        if (replica.isPresent()) {
            return replica;
        }
        return runningPrimary(cluster);
    }

    /** The member that runs as the primary, if one does. */
    public static Optional<MemberView> runningPrimary(ClusterView cluster) {
        return cluster.members().stream()
                .filter(m -> {
                    MemberStatus s = asPublished(m);
                    return s.role() == Role.PRIMARY && s.state().isRunning();
                })
                .findFirst();
    }

    /**
     * The member's status as its agent published it, read back from the view: the view's state is the
     * published one, or {@code down}/{@code agent down}... when a process is gone, which reads as not running.
     */
    static MemberStatus asPublished(MemberView m) {
        Role role = switch (m.role() == null ? "" : m.role().toLowerCase(Locale.ROOT)) {
            case "primary" -> Role.PRIMARY;
            case "replica" -> Role.REPLICA;
            default -> Role.UNKNOWN;
        };
        return new MemberStatus(m.name(), role, MemberState.fromWire(m.state()), m.detail(), m.host(), m.port(),
                m.api(), m.region(), m.timeline(), 0, 0, 0, m.lagBytes(), m.lagSeconds(), m.synchronous(),
                m.streaming(), m.upstream(), 0, m.agentPid() == null ? 0 : m.agentPid(),
                m.postgresPid() == null ? 0 : m.postgresPid(), 0);
    }
}
