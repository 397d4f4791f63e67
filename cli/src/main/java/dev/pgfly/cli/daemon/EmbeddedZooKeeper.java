package dev.pgfly.cli.daemon;

import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A single ZooKeeper server inside the daemon, for local mode. Its data lives on disk so that
 * cluster state (terms, history) survives a daemon restart. A short tick lets sessions expire in
 * seconds, which failover time depends on.
 */
final class EmbeddedZooKeeper implements AutoCloseable {
    static final int TICK_MILLIS = 500;

    private final ServerCnxnFactory factory;
    private final ZooKeeperServer server;

    private EmbeddedZooKeeper(ServerCnxnFactory factory, ZooKeeperServer server) {
        this.factory = factory;
        this.server = server;
    }

    static EmbeddedZooKeeper start(Path dataDir, String host, int port) throws IOException, InterruptedException {
        System.setProperty("zookeeper.admin.enableServer", "false");
        System.setProperty("zookeeper.4lw.commands.whitelist", "ruok,srvr");
        System.setProperty("zookeeper.snapCount", "10000");
        Files.createDirectories(dataDir);
        ZooKeeperServer server = new ZooKeeperServer(dataDir.resolve("snap").toFile(), dataDir.resolve("log").toFile(),
                TICK_MILLIS);
        server.setMinSessionTimeout(2 * TICK_MILLIS);
        server.setMaxSessionTimeout(60 * TICK_MILLIS);
        ServerCnxnFactory factory = ServerCnxnFactory.createFactory(new InetSocketAddress(host, port), 2000);
        factory.startup(server);
        return new EmbeddedZooKeeper(factory, server);
    }

    int port() {
        return factory.getLocalPort();
    }

    @Override
    public void close() {
        factory.shutdown();
        server.shutdown(true);
    }
}
