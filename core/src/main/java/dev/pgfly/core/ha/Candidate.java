package dev.pgfly.core.ha;

/**
 * One member as seen by a member deciding whether to promote itself.
 *
 * @param reachable   its agent answered just now (an unreachable member's WAL position is unknown)
 * @param healthy     PostgreSQL is running and answering on it
 * @param walPosition the most advanced WAL position it has received
 * @param timeline    the timeline that position is on (0: not known)
 * @param inStore     its agent's session is live in the coordination store: only then can it take the leader
 *                    node, so only then may it hold the others back by being the better candidate
 */
public record Candidate(
        String name,
        String region,
        boolean noFailover,
        int priority,
        boolean reachable,
        boolean healthy,
        long walPosition,
        int timeline,
        boolean inStore) {

    /** A member on an unknown timeline whose session is live (what most decisions need to say). */
    public Candidate(String name, String region, boolean noFailover, int priority, boolean reachable, boolean healthy,
                     long walPosition) {
        this(name, region, noFailover, priority, reachable, healthy, walPosition, 0, true);
    }

    public Candidate withReachable(boolean isReachable) {
        return new Candidate(name, region, noFailover, priority, isReachable, healthy, walPosition, timeline, inStore);
    }
}
