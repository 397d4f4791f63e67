package dev.pgfly.proxy;

import java.time.Duration;

/**
 * @param replicaPort        0 disables the replica port
 * @param region             the proxy's own region: replicas there are preferred (may be null)
 * @param holdTimeout        how long a new client waits for a primary while there is none
 * @param maxReplicaLagBytes replicas lagging more are taken out of rotation
 */
public record ProxyConfig(String bindHost, int primaryPort, int replicaPort, String region, Duration holdTimeout,
                          long maxReplicaLagBytes) {
    public static final long DEFAULT_MAX_REPLICA_LAG_BYTES = 16L * 1024 * 1024;
}
