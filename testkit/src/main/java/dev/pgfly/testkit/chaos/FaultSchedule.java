package dev.pgfly.testkit.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The faults of a run, drawn from a seed before anything starts: the same seed gives the same
 * schedule. A target is a role (the primary, or the n-th replica by name at the time of the fault),
 * not a member name, because the primary moves as the run goes.
 */
public final class FaultSchedule {

    public enum Kind {
        KILL_POSTGRES, KILL_AGENT, KILL_BOTH, PAUSE_AGENT, PAUSE_POSTGRES, PARTITION, PARTITION_FROM_ZOOKEEPER,
        SWITCHOVER, REMOVE_AND_ADD, ZOOKEEPER_RESTART
    }

    /**
     * {@code replica < 0}: the primary; else the replica at that index (modulo the replicas there are).
     * {@code downMillis}: how long a ZooKeeper restart keeps the server down (0 for other kinds).
     */
    public record Fault(Kind kind, int replica, long downMillis) {
        public Fault(Kind kind, int replica) {
            this(kind, replica, 0);
        }

        public boolean onPrimary() {
            return replica < 0;
        }

        /** Faults on the whole cluster rather than on one member: alone in their round. */
        public boolean clusterWide() {
            return kind == Kind.SWITCHOVER || kind == Kind.REMOVE_AND_ADD || kind == Kind.ZOOKEEPER_RESTART;
        }

        @Override
        public String toString() {
            String name = kind.name().toLowerCase().replace('_', '-');
            return switch (kind) {
                case ZOOKEEPER_RESTART -> name + "(down " + downMillis + " ms)";
                case SWITCHOVER -> name;
                default -> name + (onPrimary() ? "(primary)" : "(replica " + replica + ")");
            };
        }
    }

    private FaultSchedule() {
    }

    /**
     * {@code faultsPerRound} faults per round, on distinct targets; at most one of them on the primary,
     * and cluster-wide faults (switchover, remove-and-add, ZooKeeper restart) alone in their round.
     */
    public static List<List<Fault>> draw(long seed, int rounds, int faultsPerRound, boolean partitions) {
        Random random = new Random(seed);
        List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
        if (!partitions) {
            kinds.remove(Kind.PARTITION);
            kinds.remove(Kind.PARTITION_FROM_ZOOKEEPER);
        }
        List<List<Fault>> schedule = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Kind first = kinds.get(random.nextInt(kinds.size()));
            if (first == Kind.SWITCHOVER) {
                schedule.add(List.of(new Fault(first, -1)));
                continue;
            }
            if (first == Kind.REMOVE_AND_ADD) {
                schedule.add(List.of(new Fault(first, random.nextInt(8))));
                continue;
            }
            if (first == Kind.ZOOKEEPER_RESTART) {
                // 0.5 to 9 s: both shorter and longer than the 5 s session, and than the 2 s lease.
                schedule.add(List.of(new Fault(first, -1, 500L * (1 + random.nextInt(18)))));
                continue;
            }
            List<Fault> round = new ArrayList<>();
            // Most faults hit the primary: that is where failover logic is exercised.
            round.add(new Fault(first, random.nextInt(10) < 6 ? -1 : random.nextInt(8)));
            for (int f = 1; f < faultsPerRound; f++) {
                Kind k;
                do {
                    k = kinds.get(random.nextInt(kinds.size()));
                } while (new Fault(k, 0).clusterWide());
                int replica = round.getFirst().onPrimary() ? f - 1 : round.getFirst().replica() + f;
                round.add(new Fault(k, replica));
            }
            schedule.add(List.copyOf(round));
        }
        return List.copyOf(schedule);
    }
}
