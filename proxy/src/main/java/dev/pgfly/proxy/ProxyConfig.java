package dev.pgfly.proxy;

import java.time.Duration;

/**
 * @param replicaPort             0 disables the replica port
 * @param region                  the proxy's own region: replicas there are preferred (may be null)
 * @param holdTimeout             how long a new client waits for a primary while there is none
 * @param maxReplicaLagBytes      replicas lagging more are taken out of rotation
 * @param maxConnections          client connections at once, over both ports (see {@link ConnectionLimits})
 * @param maxConnectionsPerSource client connections at once from one source address (an address, not a
 *                                host or user: every local user can connect from any 127.x address)
 * @param startupTimeout          how long a new client may take to send its startup packet, like
 *                                PostgreSQL's authentication_timeout for the step before it
 */
public record ProxyConfig(String bindHost, int primaryPort, int replicaPort, String region, Duration holdTimeout,
                          long maxReplicaLagBytes, int maxConnections, int maxConnectionsPerSource,
                          Duration startupTimeout) {
    public static final long DEFAULT_MAX_REPLICA_LAG_BYTES = 16L * 1024 * 1024;
    /** Two descriptors and two pipe threads per piped connection: well inside the proxy's limits. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 200;
    public static final long DEFAULT_STARTUP_TIMEOUT_MILLIS = 10_000;
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMillis(DEFAULT_STARTUP_TIMEOUT_MILLIS);

    public ProxyConfig {
        if (maxConnections < 1 || maxConnectionsPerSource < 1) {
            throw new IllegalArgumentException("connection caps must be at least 1");
        }
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("the startup timeout must be positive");
        }
    }

    /** The default caps and startup timeout. */
    public ProxyConfig(String bindHost, int primaryPort, int replicaPort, String region, Duration holdTimeout,
                       long maxReplicaLagBytes) {
        this(bindHost, primaryPort, replicaPort, region, holdTimeout, maxReplicaLagBytes, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_CONNECTIONS_PER_SOURCE, DEFAULT_STARTUP_TIMEOUT);
    }
}
