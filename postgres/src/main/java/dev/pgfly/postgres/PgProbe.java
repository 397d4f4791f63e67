package dev.pgfly.postgres;

/**
 * One look at a running PostgreSQL: its role and WAL positions.
 *
 * @param upstreamHost the host a replica's WAL receiver is connected to (null when not streaming)
 */
public record PgProbe(
        boolean inRecovery,
        int timeline,
        long currentLsn,
        long receivedLsn,
        long replayedLsn,
        double replayLagSeconds,
        boolean streaming,
        String upstreamHost) {

    public long walPosition() {
        return Math.max(currentLsn, Math.max(receivedLsn, replayedLsn));
    }
}
