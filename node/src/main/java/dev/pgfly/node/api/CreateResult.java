package dev.pgfly.node.api;

/**
 * The answer to create: the cluster, its connection URL (shown once) and how long it took.
 *
 * @param verifyUrl with TLS, the URL with {@code sslmode=verify-full} and the CA file; null without
 * @param pooledUrl through PgBouncer (with TLS, verified like {@code verifyUrl}); null without a pooler
 */
public record CreateResult(ClusterView cluster, String url, String verifyUrl, long millis, String pooledUrl) {

    public CreateResult(ClusterView cluster, String url, String verifyUrl, long millis) {
        this(cluster, url, verifyUrl, millis, null);
    }
}
