package dev.pgfly.cli.commands;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.ZkClusterStore;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.proxy.PgProxy;
import dev.pgfly.proxy.ProxyConfig;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Override
    public Integer call() throws Exception {
        DcsAddress address = DcsAddress.parse(dcs);
        CuratorFramework client = ZkConnections.startAndWait(address, Duration.ofSeconds(10), null, Duration.ofSeconds(30));
        ClusterStore store = new ZkClusterStore(client, address.root(), cluster, true);
        if (maxReplicaLagBytes < 0 || holdTimeoutMs < 0) {
            throw new IllegalArgumentException("--max-replica-lag-bytes and --hold-timeout-ms must not be negative");
        }
        ProxyConfig config = new ProxyConfig(listen, port, replicaPort, region, Duration.ofMillis(holdTimeoutMs),
                maxReplicaLagBytes);
        // A held client asks for its database through the store: a scaled-to-zero member's agent
        // watches the wake node and starts PostgreSQL (agents that are not idle ignore it).
        PgProxy proxy = PgProxy.start(config, store, () -> store.requestWake(System.currentTimeMillis()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            store.close();
            stopped.countDown();
        }, "proxy-shutdown"));
        stopped.await();
        return 0;
    }
}
