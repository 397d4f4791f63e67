package dev.pgfly.node.api;

/**
 * The answer to create: the cluster, its connection URL (shown once) and how long it took.
 *
 * @param verifyUrl with TLS, the URL with {@code sslmode=verify-full} and the CA file; null without
 */
public record CreateResult(ClusterView cluster, String url, String verifyUrl, long millis) {
}
