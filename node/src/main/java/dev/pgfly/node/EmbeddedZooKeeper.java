package dev.pgfly.node;

import dev.pgfly.core.coord.ZkLimits;
import dev.pgfly.node.ensemble.ServerProcessSettings;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A single ZooKeeper server inside the daemon, for local mode. Its data lives on disk so that
 * cluster state (terms, history) survives a daemon restart. A short tick lets sessions expire in
 * seconds, which failover time depends on.
 *
 * <p>It can be restarted in place ({@link #restart}) as a fault drill: the server's sessions are in
 * its transaction log, so clients that reconnect within their session timeout keep their sessions
 * (and the leader its ephemeral node), exactly as with a real ZooKeeper restart; a longer outage
 * expires every session and forces a new election.
 */
final class EmbeddedZooKeeper implements AutoCloseable {
    static final int TICK_MILLIS = 500;
    /**
     * Connections from one client address. pgfly opens one per process: the daemon and every proxy from
     * 127.0.0.1, each agent from its member's own address, so 200 leaves room for a hundred clusters
     * with two regions in one home. ZooKeeper's limit was 2000 here; it bounds what one address can
     * hold open (every connection may carry a request buffer of up to {@link ZkLimits#MAX_BUFFER_BYTES}).
     */
    static final int MAX_CONNECTIONS_PER_ADDRESS = 200;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    private final Path dataDir;
    private final InetSocketAddress address;
    private ServerCnxnFactory factory;
    private ZooKeeperServer server;

    private EmbeddedZooKeeper(Path dataDir, InetSocketAddress address) {
        this.dataDir = dataDir;
        this.address = address;
    }

    static EmbeddedZooKeeper start(Path dataDir, String host, int port) throws IOException, InterruptedException {
        ServerProcessSettings.apply();
        Files.createDirectories(dataDir);
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dataDir, new InetSocketAddress(host, port));
        zk.startServer();
        return zk;
    }

    private synchronized void startServer() throws IOException, InterruptedException {
        server = new ZooKeeperServer(dataDir.resolve("snap").toFile(), dataDir.resolve("log").toFile(), TICK_MILLIS);
        server.setMinSessionTimeout(2 * TICK_MILLIS);
        server.setMaxSessionTimeout(60 * TICK_MILLIS);
        factory = ServerCnxnFactory.createFactory(address, MAX_CONNECTIONS_PER_ADDRESS);
        factory.startup(server);
    }

    synchronized int port() {
        return factory.getLocalPort();
    }

    /** Stops the server, keeps it down for {@code down}, and starts it again on the same port and data. */
    synchronized void restart(Duration down) throws IOException, InterruptedException {
        log.warn("restarting the embedded ZooKeeper, down for {} ms", down.toMillis());
        close();
        Thread.sleep(down.toMillis());
        startServer();
        log.warn("embedded ZooKeeper is back on port {}", port());
    }

    @Override
    public synchronized void close() {
        factory.shutdown();
        server.shutdown(true);
    }
}
