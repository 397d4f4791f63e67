package dev.pgfly.core.model;

/**
 * What a pooler (PgBouncer next to a proxy) tells the cluster, ephemeral in the store while its proxy runs:
 * whether it holds its clients paused, and for which pause request, so that a planned switchover can wait
 * until every pooler has let its transactions finish before the primary stops.
 *
 * @param id               the proxy's node and region ({@code node/region})
 * @param paused           PgBouncer answered PAUSE: no server connection is in use
 * @param pauseRequestedAt the pause request it answers (its time), 0 when none
 */
public record PoolerStatus(String id, boolean paused, long pauseRequestedAt) {
}
