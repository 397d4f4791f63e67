package dev.pgfly.core.model;

/**
 * The content of the ephemeral leader node. {@code ready} turns true once PostgreSQL on the leader
 * accepts writes; the proxy routes only to a ready leader of the newest term.
 */
public record LeaderRecord(String member, long term, String host, int pgPort, boolean ready, long since) {

    public LeaderRecord asReady() {
        return new LeaderRecord(member, term, host, pgPort, true, since);
    }

    /** The leader keeps its term but takes its PostgreSQL out of service (scaled to zero). */
    public LeaderRecord asNotReady() {
        return new LeaderRecord(member, term, host, pgPort, false, since);
    }
}
