package dev.pgfly.core.model;

import java.util.Optional;

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
     * The one rule for a healthy replica: fit to serve reads (the proxy), to be a snapshot's source (backups),
     * to count as in its role ({@code pgfly status}) and to take over in a planned switchover. Each caller adds
     * its own policy around it (the switchover, the primary region and no {@code nofailover} tag), never its
     * own notion of health. Empty when healthy, else why not, as a phrase that follows the member's name.
     *
     * <p>Healthy: a replica in the settled state {@link MemberState#RUNNING}, streaming, with a published
     * address, on the leader's timeline when that is known ({@code leaderTimeline} 0: not known; see
     * {@link Timelines#onLeaderTimeline}), and lagging by at most {@code maxLagBytes}. An agent publishes
     * {@link MemberState#CATCHING_UP} for a replica on an older timeline; the timeline is compared here too,
     * so that the rule does not rest on that sentence alone.
     */
    public Optional<String> replicaProblem(long maxLagBytes, int leaderTimeline) {
        if (role != Role.REPLICA) {
            return Optional.of("is not a replica (" + (role == null ? "unknown" : role.label()) + ")");
        }
        if (state == null || !state.isRunning()) {
            return Optional.of("is not settled (" + (state == null ? "unknown" : state.label()) + ")");
        }
        if (!streaming) {
            return Optional.of("does not stream");
        }
        if (host == null) {
            return Optional.of("has not published its address");
        }
        if (!Timelines.onLeaderTimeline(timeline, leaderTimeline)) {
            return Optional.of("streams timeline " + timeline + ", older than the leader's " + leaderTimeline);
        }
        if (lagBytes > maxLagBytes) {
            return Optional.of("lags by " + lagBytes + " bytes, more than " + maxLagBytes);
        }
        return Optional.empty();
    }

    /** {@link #replicaProblem} found nothing. */
    public boolean isHealthyReplica(long maxLagBytes, int leaderTimeline) {
        return replicaProblem(maxLagBytes, leaderTimeline).isEmpty();
    }

    /** {@link #isHealthyReplica(long, int)} where the leader's timeline is not known (the proxy's call). */
    public boolean isHealthyReplica(long maxLagBytes) {
        return isHealthyReplica(maxLagBytes, 0);
    }
}
