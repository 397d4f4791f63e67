package dev.pgfly.testkit.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The faults of a campaign over namespace hosts ({@code bench/chaos --hosts N}), drawn from a seed before
 * anything starts. A schedule of its own, so that the one-host campaign's seeds keep drawing exactly the
 * schedules they drew before. It keeps the one-host faults that mean the same on a host of its own
 * (kills, pauses, a switchover) and adds the whole-host ones. A target is a role (the primary, or the n-th
 * replica by name at the time of the fault); with one member per host, a member names its host.
 */
public final class HostFaultSchedule {

    public enum Kind {
        KILL_POSTGRES, KILL_AGENT, KILL_BOTH, PAUSE_AGENT, PAUSE_POSTGRES, SWITCHOVER,
        /** SIGKILL of everything in the host; its node is started again after 0-10 s. */
        HOST_CRASH,
        /** The host's link down for 2-20 s: nothing reaches it, not even the bench's probe. */
        HOST_CUT,
        /**
         * The host drops every packet from and to the other hosts for 2-20 s, while the bench (clients and
         * probe) still reaches it: an isolated old primary stays in sight, so a second writable member would show.
         */
        HOST_PARTIAL_CUT,
        /** For 2-20 s the host drops what the other hosts send it; what it sends still leaves. */
        LOSS_INBOUND,
        /** For 2-20 s what the host sends the other hosts is dropped; what they send still arrives. */
        LOSS_OUTBOUND,
        /** A ZooKeeper voter's host crashes while the primary is elsewhere (always a replica's host); restart after 0-10 s. */
        VOTER_CRASH,
        /**
         * The primary's data volume (a small filesystem of its own) filled to the last byte by a writer beside
         * PostgreSQL for 2-20 s, then the filler removed. Always the primary's: that is where a full disk hurts.
         */
        DISK_FULL;

        /** A fault that takes the host's ZooKeeper peer away from the ensemble while it lasts. */
        public boolean takesHostAway() {
            return switch (this) {
                case HOST_CRASH, HOST_CUT, HOST_PARTIAL_CUT, LOSS_INBOUND, LOSS_OUTBOUND, VOTER_CRASH -> true;
                default -> false;
            };
        }

        /** A fault that lasts {@link Fault#millis()} and then ends by the campaign's hand (a cut, a loss, a full disk). */
        public boolean lasts() {
            return takesHostAway() && !crash() || this == DISK_FULL;
        }

        public boolean crash() {
            return this == HOST_CRASH || this == VOTER_CRASH;
        }

        public String label() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * {@code replica < 0}: the primary's host; else the replica at that index (modulo the replicas there
     * are). {@code millis}: how long a cut or a loss lasts, or after how long a crashed node is restarted.
     */
    public record Fault(Kind kind, int replica, long millis) {
        public boolean onPrimary() {
            return replica < 0;
        }

        @Override
        public String toString() {
            if (kind == Kind.SWITCHOVER) {
                return kind.label();
            }
            String target = onPrimary() ? "primary" : "replica " + replica;
            String time = kind.crash() ? ", restart after " + millis + " ms" : kind.lasts() ? ", " + millis + " ms" : "";
            return kind.label() + "(" + target + time + ")";
        }
    }

    private HostFaultSchedule() {
    }

    /**
     * One round in {@code DISK_FULL_ONE_IN} has a full disk on the primary's host as its first fault, drawn
     * from a random stream of its own: every other round is the one the seed drew before the kind existed.
     */
    static final int DISK_FULL_ONE_IN = 12;
    /** Mixed into the seed for the disk-full stream, so that it is not the main stream's twin. */
    private static final long DISK_FULL_STREAM = 0x6469736B66756C6CL;

    /**
     * {@code faultsPerRound} faults per round on distinct hosts, at most one on the primary's; a switchover
     * alone in its round. Whole-host faults are drawn twice as often as the member faults: they are what
     * this campaign is for. A full disk ({@link #DISK_FULL_ONE_IN}) replaces a round's first fault (or its
     * switchover) and keeps the others of the round.
     */
    public static List<List<Fault>> draw(long seed, int rounds, int faultsPerRound) {
        Random random = new Random(seed);
        Random diskFull = new Random(seed ^ DISK_FULL_STREAM);
        List<Kind> kinds = new ArrayList<>();
        for (Kind k : Kind.values()) {
            if (k != Kind.DISK_FULL) {
                kinds.addAll(Collections.nCopies(k.takesHostAway() ? 2 : 1, k));
            }
        }
        List<List<Fault>> drawn = drawWithout(random, kinds, rounds, faultsPerRound);
        List<List<Fault>> schedule = new ArrayList<>();
        for (List<Fault> round : drawn) {
            boolean full = diskFull.nextInt(DISK_FULL_ONE_IN) == 0;
            long millis = 2_000 + 500L * diskFull.nextInt(37);
            if (!full) {
                schedule.add(round);
                continue;
            }
            List<Fault> replaced = new ArrayList<>(round);
            replaced.set(0, new Fault(Kind.DISK_FULL, -1, millis));
            schedule.add(List.copyOf(replaced));
        }
        return List.copyOf(schedule);
    }

    /** The schedule as drawn before {@link Kind#DISK_FULL} existed (the same seed, the same rounds). */
    private static List<List<Fault>> drawWithout(Random random, List<Kind> kinds, int rounds, int faultsPerRound) {
        List<List<Fault>> schedule = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Kind first = kinds.get(random.nextInt(kinds.size()));
            if (first == Kind.SWITCHOVER) {
                schedule.add(List.of(new Fault(first, -1, 0)));
                continue;
            }
            List<Fault> round = new ArrayList<>();
            // Most faults hit the primary's host (where failover is exercised); a voter crash never does.
            int target = first != Kind.VOTER_CRASH && random.nextInt(10) < 6 ? -1 : random.nextInt(8);
            round.add(new Fault(first, target, millis(first, random)));
            for (int f = 1; f < faultsPerRound; f++) {
                Kind k;
                do {
                    k = kinds.get(random.nextInt(kinds.size()));
                } while (k == Kind.SWITCHOVER);
                int replica = round.getFirst().onPrimary() ? f - 1 : round.getFirst().replica() + f;
                round.add(new Fault(k, replica, millis(k, random)));
            }
            schedule.add(List.copyOf(round));
        }
        return List.copyOf(schedule);
    }

    /** Restart delay 0-10 s for a crash, 2-20 s for a cut or a loss (a full disk: see draw), nothing for the member faults. */
    private static long millis(Kind k, Random random) {
        if (k.crash()) {
            return 500L * random.nextInt(21);
        }
        if (k.takesHostAway()) {
            return 2_000 + 500L * random.nextInt(37);
        }
        return 0;
    }

    /**
     * ZooKeeper keeps its majority only when fewer than half of its voters are away: with three voters
     * (a three-host installation) two whole-host faults at once stop every write until one heals. Such a
     * round is "unavailable, by design", not a failure; it must still heal by itself and lose nothing.
     */
    public static boolean quorumLostByDesign(List<Fault> round, int voters) {
        long away = round.stream().filter(f -> f.kind().takesHostAway()).count();
        return away * 2 >= voters;
    }
}
