package dev.pgfly.core.model;

import java.time.Instant;

/**
 * A paused cluster (Patroni's maintenance mode): no member is promoted, demoted, rewound or re-cloned, and
 * PostgreSQL processes are left as they are; agents keep observing and publishing. Stored in the cluster's
 * {@code pause} node; its expiry resumes the cluster by itself, with no one having to remove the node.
 *
 * @param since when it was paused (ms since the epoch)
 * @param until when the pause ends by itself (ms since the epoch); 0: until {@code pgfly resume}
 */
public record PauseState(long since, long until) {

    public PauseState {
        if (until != 0 && until <= since) {
            throw new IllegalArgumentException("a pause must end after it begins");
        }
    }

    /** Whether the cluster is paused at {@code now}. */
    public boolean activeAt(long now) {
        return until == 0 || now < until;
    }

    /** "until 2025-01-01T10:30:00Z" or "until resumed", for people. */
    public String untilText() {
        return until == 0 ? "until resumed" : "until " + Instant.ofEpochMilli(until);
    }

    /** A pause read from the store, active at {@code now}, else null (none, or expired). */
    public static PauseState activeOrNull(PauseState pause, long now) {
        return pause != null && pause.activeAt(now) ? pause : null;
    }
}
