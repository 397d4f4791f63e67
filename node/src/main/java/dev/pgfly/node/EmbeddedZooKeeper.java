package dev.pgfly.node;

import dev.pgfly.core.coord.ZkLimits;
import org.apache.jute.BinaryInputArchive;
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
    /**
     * Snapshots and logs written before {@link ZkLimits} (ZooKeeper's default of 1 MiB per request)
     * must still load: the server reads them with jute.maxbuffer plus this extra room.
     */
    static final int EXTRA_BUFFER_FOR_OLD_DATA = 1024 * 1024;
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
        // No AdminServer (an unauthenticated HTTP server, on 8080 by default), and only harmless
        // four-letter words.
        System.setProperty("zookeeper.admin.enableServer", "false");
        System.setProperty("zookeeper.4lw.commands.whitelist", "ruok,srvr");
        System.setProperty("zookeeper.snapCount", "10000");
        // Requests no larger than pgfly needs (see ZkLimits). Read once, when ZooKeeper's serialization
        // classes load: nothing in the daemon has touched them before this point.
        System.setProperty(ZkLimits.JUTE_MAX_BUFFER, Integer.toString(ZkLimits.MAX_BUFFER_BYTES));
        System.setProperty("zookeeper.jute.maxbuffer.extrasize", Integer.toString(EXTRA_BUFFER_FOR_OLD_DATA));
        if (BinaryInputArchive.maxBuffer != ZkLimits.MAX_BUFFER_BYTES) {
            log.warn("ZooKeeper's request limit is {} bytes, not {}: jute.maxbuffer was read before the daemon set it",
                    BinaryInputArchive.maxBuffer, ZkLimits.MAX_BUFFER_BYTES);
        }
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
