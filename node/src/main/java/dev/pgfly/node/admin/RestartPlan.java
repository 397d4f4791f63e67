package dev.pgfly.node.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The order of a rolling restart, as a pure function. Replicas go first, one at a time; then a
 * planned switchover hands the primary role to a restarted replica and the former primary is
 * restarted (the switchover itself restarts it as a replica). Clients see one short write pause.
 *
 * <p>Exception: when a restart lowers a setting that a hot standby must hold at least as high as
 * its primary (max_connections and friends), a replica restarted first would pause its replay. Then
 * the primary is restarted in place first (a short outage), and the replicas after it. A cluster of
 * one member can only restart in place.
 */
public final class RestartPlan {
    /** Settings a standby needs at least as high as its primary's to replay WAL. */
    public static final Set<String> STANDBY_MINIMUMS = Set.of("max_connections", "max_worker_processes",
            "max_wal_senders", "max_prepared_transactions", "max_locks_per_transaction");

    public enum Kind { RESTART_REPLICA, SWITCHOVER, RESTART_FORMER_PRIMARY, RESTART_PRIMARY_IN_PLACE }

    public record Step(Kind kind, String member) {
        @Override
        public String toString() {
            return switch (kind) {
                case RESTART_REPLICA -> "restart replica " + member;
                case SWITCHOVER -> "switch over from " + member;
                case RESTART_FORMER_PRIMARY -> "restart former primary " + member;
                case RESTART_PRIMARY_IN_PLACE -> "restart primary " + member + " in place";
            };
        }
    }

    private RestartPlan() {
    }

    /**
     * @param members       every member, in a stable order
     * @param primary       the current primary
     * @param targets       the members to restart
     * @param primaryFirst  a standby-minimum setting is being lowered
     */
    public static List<Step> plan(List<String> members, String primary, Set<String> targets, boolean primaryFirst) {
        List<Step> steps = new ArrayList<>();
        List<String> replicas = members.stream().filter(m -> !m.equals(primary) && targets.contains(m)).toList();
        boolean restartPrimary = targets.contains(primary);
        if (primaryFirst && !restartPrimary && !replicas.isEmpty()) {
            throw new IllegalArgumentException("a lowered " + String.join("/", STANDBY_MINIMUMS.stream().sorted().toList())
                    + " needs the primary restarted before its replicas: restart the whole cluster");
        }
        if (restartPrimary && (members.size() == 1 || primaryFirst)) {
            steps.add(new Step(Kind.RESTART_PRIMARY_IN_PLACE, primary));
            replicas.forEach(r -> steps.add(new Step(Kind.RESTART_REPLICA, r)));
            return steps;
        }
        replicas.forEach(r -> steps.add(new Step(Kind.RESTART_REPLICA, r)));
        if (restartPrimary) {
            steps.add(new Step(Kind.SWITCHOVER, primary));
            steps.add(new Step(Kind.RESTART_FORMER_PRIMARY, primary));
        }
        return steps;
    }
}
