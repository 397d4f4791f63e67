package dev.pgfly.core.model;

/**
 * What an agent publishes about its member (an ephemeral node: it vanishes with the agent's session).
 * LSNs are byte positions; {@link Lsn} converts to PostgreSQL's text form. {@code state} is a named
 * {@link MemberState} (a lower-case label on the wire); {@code detail} is the sentence that explains it, for
 * people: nothing decides on it.
 */
public record MemberStatus(
        String name,
        Role role,
        MemberState state,
        String detail,
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

    /**
     * This status without its progress: WAL positions, lag and the heartbeat time set to zero. What is
     * left (role, state, timeline, streaming, upstream, term, processes...) is what decisions turn on.
     */
    public MemberStatus withoutProgress() {
        return new MemberStatus(name, role, state, detail, host, pgPort, api, region, timeline, 0, 0, 0, 0, 0.0,
                synchronous, streaming, upstream, term, agentPid, postgresPid, 0);
    }

    /**
     * True when {@code other} differs from this status in progress only. Agents publish every cycle,
     * and the heartbeat time changes every time: were such a change to wake the other agents' and the
     * publisher's own HA loops, each cycle would start the next at once.
     */
    public boolean differsOnlyInProgress(MemberStatus other) {
        return other != null && withoutProgress().equals(other.withoutProgress());
    }

    /** The most advanced WAL position this member holds durably (received for replicas, written for a primary). */
    public long walPosition() {
        return Math.max(lsn, Math.max(receivedLsn, replayedLsn));
    }

    /**
     * The one rule for a replica fit to serve reads, to be a snapshot's source or a switchover's target: it
     * is a settled replica ({@link MemberState#RUNNING}), streams, has published where it listens, and lags
     * the primary by at most {@code maxLagBytes}. A replica on an older timeline never reads as running: its
     * agent publishes {@link MemberState#CATCHING_UP} until it streams on the leader's.
     */
    public boolean isHealthyReplica(long maxLagBytes) {
        return role == Role.REPLICA && state != null && state.isRunning() && streaming && host != null
                && lagBytes <= maxLagBytes;
    }
}
