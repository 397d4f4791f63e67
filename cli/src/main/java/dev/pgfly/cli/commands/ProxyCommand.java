package dev.pgfly.cli.commands;

import dev.pgfly.core.util.RollingLogFile;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkClusterStore;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.coord.ZkTls;
import dev.pgfly.proxy.MetricsServer;
import dev.pgfly.proxy.PgProxy;
import dev.pgfly.proxy.ProxyConfig;
import dev.pgfly.proxy.ProxyMetricsCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = "Run a cluster's proxy: the primary port follows the leader, the replica port a healthy replica.")
public final class ProxyCommand implements Callable<Integer> {
    @Option(names = "--cluster", required = true)
    String cluster;

    @Option(names = "--dcs", required = true, description = "Coordination store, e.g. zk://h1:2181/pgfly")
    String dcs;

    @Option(names = "--dcs-auth", description = "File with the coordination store's credentials (user:password,"
            + " mode 0600); without it the proxy connects anonymously")
    Path dcsAuth;

    @Option(names = "--dcs-tls", description = "Directory with the store's TLS files (ca.crt, node.pem):"
            + " the installation's embedded peers speak TLS only. Omitted: plain text")
    Path dcsTls;

    @Option(names = "--listen", defaultValue = "127.0.0.1")
    String listen;

    @Option(names = "--port", required = true, description = "Primary port")
    int port;

    @Option(names = "--replica-port", defaultValue = "0", description = "Replica port (0: none)")
    int replicaPort;

    @Option(names = "--region", description = "This proxy's region: replicas there are preferred")
    String region;

    @Option(names = "--hold-timeout-ms", defaultValue = "30000",
            description = "How long a new client waits for a primary when there is none")
    long holdTimeoutMs;

    @Option(names = "--max-replica-lag-bytes", defaultValue = "" + ProxyConfig.DEFAULT_MAX_REPLICA_LAG_BYTES,
            description = "Replicas lagging more are taken out of rotation until they catch up (default: ${DEFAULT-VALUE})")
    long maxReplicaLagBytes;

    @Option(names = "--metrics-port", defaultValue = "0",
            description = "Port for GET /metrics (Prometheus text format) on the listen address (0: none)")
    int metricsPort;

    @Option(names = "--max-connections", defaultValue = "" + ProxyConfig.DEFAULT_MAX_CONNECTIONS,
            description = "Client connections at once over both ports; past it, clients that have not sent their"
                    + " startup packet yet make room, or the newcomer is refused with 53300 (default: ${DEFAULT-VALUE})")
    int maxConnections;

    @Option(names = "--max-connections-per-source", defaultValue = "" + ProxyConfig.DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
            description = "Client connections at once from one source IP address (default: ${DEFAULT-VALUE})")
    int maxConnectionsPerSource;

    @Option(names = "--startup-timeout-ms", defaultValue = "" + ProxyConfig.DEFAULT_STARTUP_TIMEOUT_MILLIS,
            description = "A client must send its startup packet within this time (default: ${DEFAULT-VALUE})")
    long startupTimeoutMs;

    @Option(names = "--pooler-admin-password-file", description = "The password of the console admin of the"
            + " cluster's PgBouncer (mode 0600): /metrics exports its SHOW POOLS and SHOW STATS when the cluster has one")
    Path poolerAdminPasswordFile;

    @Option(names = "--pooler-ca-file", description = "The cluster's CA certificate: its PgBouncer takes TLS"
            + " connections only (omitted: plain text)")
    Path poolerCaFile;

    @Option(names = "--log-file", description = "Log to this file, rolled over at " + RollingLogFile.MAX_FILE_SIZE
            + " (" + RollingLogFile.KEEP + " old files kept), instead of standard error")
    Path logFile;

    @Override
    public Integer call() throws Exception {
        if (maxConnections < 1 || maxConnectionsPerSource < 1 || startupTimeoutMs < 1) {
            throw new IllegalArgumentException(
                    "--max-connections, --max-connections-per-source and --startup-timeout-ms must be positive");
        }
        if (logFile != null) {
            RollingLogFile.logTo(logFile);
        }
        DcsAddress address = DcsAddress.parse(dcs);
        StoreCredentials credentials = dcsAuth == null ? null : StoreCredentials.readFrom(dcsAuth);
        CuratorFramework client = ZkConnections.startAndWait(address, Duration.ofSeconds(10), null, credentials,
                dcsTls == null ? null : ZkTls.in(dcsTls), Duration.ofSeconds(30), true);
        ClusterStore store = new ZkClusterStore(client, address.root(), cluster, true);
        if (maxReplicaLagBytes < 0 || holdTimeoutMs < 0) {
            throw new IllegalArgumentException("--max-replica-lag-bytes and --hold-timeout-ms must not be negative");
        }
        ProxyConfig config = new ProxyConfig(listen, port, replicaPort, region, Duration.ofMillis(holdTimeoutMs),
                maxReplicaLagBytes, maxConnections, maxConnectionsPerSource, Duration.ofMillis(startupTimeoutMs));
        // A held client asks for its database through the store: a scaled-to-zero member's agent
        // watches the wake node and starts PostgreSQL (agents that are not idle ignore it).
        PgProxy proxy = PgProxy.start(config, store, () -> store.requestWake(System.currentTimeMillis()));
        MetricsServer metrics = startMetrics(proxy, config, store);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (metrics != null) {
                metrics.close();
            }
            proxy.close();
            store.close();
            stopped.countDown();
        }, "proxy-shutdown"));
        stopped.await();
        return 0;
    }

    /** The console of the PgBouncer next to this proxy, as the cluster's record says now (empty: none). */
    private java.util.Optional<dev.pgfly.proxy.pooler.PgBouncerConsole> poolerConsole(ClusterStore store) {
        return store.config().map(dev.pgfly.core.model.ClusterSpec::pooler).filter(p -> p.port() > 0).map(p -> {
            try {
                return new dev.pgfly.proxy.pooler.PgBouncerConsole(listen, p.port(), "pgfly_pooler_admin",
                        java.nio.file.Files.readString(poolerAdminPasswordFile).strip(), poolerCaFile);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Metrics are an extra: a port taken by something else costs the metrics, never the routing. */
    private MetricsServer startMetrics(PgProxy proxy, ProxyConfig config, ClusterStore store) {
        if (metricsPort <= 0) {
            return null;
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ProxyMetricsCollector(proxy.metrics(), config));
        if (poolerAdminPasswordFile != null) {
            registry.register(new dev.pgfly.proxy.pooler.PgBouncerMetricsCollector(() -> poolerConsole(store)));
        }
        try {
            MetricsServer server = MetricsServer.start(listen, metricsPort, registry);
            LoggerFactory.getLogger(ProxyCommand.class).info("proxy metrics on http://{}:{}/metrics", listen, server.port());
            return server;
        } catch (IOException e) {
            LoggerFactory.getLogger(ProxyCommand.class).warn("no metrics: cannot listen on {}:{}: {}", listen,
                    metricsPort, e.toString());
            return null;
        }
    }
}
