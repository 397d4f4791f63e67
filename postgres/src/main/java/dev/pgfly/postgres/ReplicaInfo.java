package dev.pgfly.postgres;

/** A standby as the primary sees it in pg_stat_replication. */
public record ReplicaInfo(String applicationName, String state, long flushLsn, long replayLsn, String syncState) {
}
