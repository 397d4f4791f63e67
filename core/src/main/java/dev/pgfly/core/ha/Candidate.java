package dev.pgfly.core.ha;

/**
 * One member as seen by a member deciding whether to promote itself.
 *
 * @param reachable   its agent answered just now (an unreachable member's WAL position is unknown)
 * @param healthy     PostgreSQL is running and answering on it
 * @param walPosition the most advanced WAL position it has received
 */
public record Candidate(
        String name,
        String region,
        boolean noFailover,
        int priority,
        boolean reachable,
        boolean healthy,
        long walPosition) {

    public Candidate withReachable(boolean isReachable) {
        return new Candidate(name, region, noFailover, priority, isReachable, healthy, walPosition);
    }
}
