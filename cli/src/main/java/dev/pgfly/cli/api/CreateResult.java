package dev.pgfly.cli.api;

/** The answer to create: the cluster, its connection URL (shown once) and how long it took. */
public record CreateResult(ClusterView cluster, String url, long millis) {
}
