package dev.pgfly.postgres;

import java.util.List;

/**
 * One round of statistics from a PostgreSQL instance, as {@link PgStatsReader} reads it for a
 * metrics scrape or a health check. When the instance did not answer, {@code up} is false, {@code error}
 * says why and every other field is empty or zero.
 *
 * @param walPosition  the primary's current WAL position, or the most advanced received/replayed one of a replica
 * @param replicaLagSeconds on a replica: seconds since the last replayed transaction, 0 when it has replayed
 *                          everything it received (postgres_exporter's definition of pg_replication_lag)
 * @param senderHost   on a replica: the host its WAL receiver streams from (null when not streaming)
 * @param archiveFailure this member's WAL archiver failed its last attempt: which file and when (null when
 *                       it did not); every member archives (archive_mode=always), so each one reports its own
 */
public record PgStats(
        boolean up,
        String error,
        boolean inRecovery,
        int timeline,
        long walPosition,
        boolean streaming,
        String senderHost,
        double replicaLagSeconds,
        int maxConnections,
        int connections,
        List<DatabaseStats> databases,
        List<ActivityCount> activity,
        List<ReplicaLag> replicas,
        String archiveFailure) {

    public PgStats(boolean up, String error, boolean inRecovery, int timeline, long walPosition, boolean streaming,
                   String senderHost, double replicaLagSeconds, int maxConnections, int connections,
                   List<DatabaseStats> databases, List<ActivityCount> activity, List<ReplicaLag> replicas) {
        this(up, error, inRecovery, timeline, walPosition, streaming, senderHost, replicaLagSeconds, maxConnections,
                connections, databases, activity, replicas, null);
    }

    /** A row of pg_stat_database joined with the database's size. */
    public record DatabaseStats(String datname, long xactCommit, long xactRollback, long blksHit, long blksRead,
                                long sizeBytes) {
    }

    /** How many client backends of one database are in one state (pg_stat_activity). */
    public record ActivityCount(String datname, String state, long count) {
    }

    /** A standby as the primary sees it: how far behind its replay is, in bytes of WAL and in time. */
    public record ReplicaLag(String applicationName, String state, String syncState, long lagBytes, double lagSeconds) {
    }

    public static PgStats down(String error) {
        return new PgStats(false, error, false, 0, 0, false, null, 0, 0, 0, List.of(), List.of(), List.of());
    }
}
