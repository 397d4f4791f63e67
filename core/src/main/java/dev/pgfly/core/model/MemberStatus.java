package dev.pgfly.core.model;

/**
 * What an agent publishes about its member (an ephemeral node: it vanishes with the agent's session).
 * LSNs are byte positions; {@link Lsn} converts to PostgreSQL's text form.
 */
public record MemberStatus(
        String name,
        Role role,
        String state,
        String host,
        int pgPort,
        String api,
        String region,
        int timeline,
        long lsn,
        long receivedLsn,
        long replayedLsn,
        long lagBytes,
        double lagSeconds,
        boolean synchronous,
        boolean streaming,
        String upstream,
        long term,
        long agentPid,
        long postgresPid,
        long updatedAt) {

    /** The most advanced WAL position this member holds durably (received for replicas, written for a primary). */
    public long walPosition() {
        return Math.max(lsn, Math.max(receivedLsn, replayedLsn));
    }
}
