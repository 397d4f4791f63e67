package dev.pgfly.core.coord;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.client.HostProvider;
import org.apache.zookeeper.BoundClientCnxnSocketNIO;
import org.apache.zookeeper.client.ZKClientConfig;

import java.time.Duration;

/** Builds Curator clients with the timeouts the HA logic is designed around. */
public final class ZkConnections {
    /**
     * Session timeout: a primary cut off from ZooKeeper loses its leader node this long after its last
     * heartbeat. It fences itself when the connection is SUSPENDED (about 2/3 of this) and its watchdog
     * lease runs out earlier still, so a new leader is never elected while the old one can write.
     */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMillis(5000);

    /** Clients try this host's ZooKeeper peer first (see {@link LocalFirstHostProvider} for why). */
    private static final ZookeeperFactory LOCAL_PEER_FIRST = new ZookeeperFactory() {
        @Override
        public ZooKeeper newZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly)
                throws Exception {
            return newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly, new ZKClientConfig());
        }

        @Override
        public ZooKeeper newZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly,
                                      ZKClientConfig config) throws Exception {
            HostProvider servers = new LocalFirstHostProvider(new ConnectStringParser(connectString).getServerAddresses());
            return new ZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly, servers, config);
        }
    };

    private ZkConnections() {
    }

    /**
     * @param localAddress the member's own address to connect from, or null; when given, iptables
     *                     rules on that address also cut the agent off from ZooKeeper.
     */
    public static CuratorFramework start(DcsAddress address, Duration sessionTimeout, String localAddress) {
        return start(address, sessionTimeout, localAddress, null);
    }

    /**
     * @param credentials the identity to authenticate as; every node this client creates is then
     *                    closed to everyone else (see {@link StoreCredentials}). Null: anonymous, open
     *                    nodes (tests, and stores set up before pgfly had ACLs).
     */
    public static CuratorFramework start(DcsAddress address, Duration sessionTimeout, String localAddress,
                                         StoreCredentials credentials) {
        return start(address, sessionTimeout, localAddress, credentials, null);
    }

    /**
     * @param tls how to reach the peers over TLS (an installation of several hosts), or null for plain
     *            text (one host: the store listens on 127.0.0.1 only; or an external store). With TLS the
     *            client uses Netty's socket, which cannot pick its source address: {@code localAddress} is
     *            then not used (hosts are cut off as a whole, not one member's address).
     */
    public static CuratorFramework start(DcsAddress address, Duration sessionTimeout, String localAddress,
                                         StoreCredentials credentials, ZkTls tls) {
        return start(address, sessionTimeout, localAddress, credentials, tls, false);
    }

    /**
     * @param localPeerFirst hold the session on this host's ZooKeeper peer when there is one (agents and
     *                       proxies: see {@link LocalFirstHostProvider}). Such a client cannot change the
     *                       ensemble: ZooKeeper's reconfiguration needs a {@code ZooKeeperAdmin}, which takes
     *                       no host provider, so nodes keep ZooKeeper's own order.
     */
    public static CuratorFramework start(DcsAddress address, Duration sessionTimeout, String localAddress,
                                         StoreCredentials credentials, ZkTls tls, boolean localPeerFirst) {
        if (localAddress != null && tls == null) {
            System.setProperty(BoundClientCnxnSocketNIO.LOCAL_ADDRESS_PROPERTY, localAddress);
            System.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, BoundClientCnxnSocketNIO.class.getName());
        }
        // ZooKeeper's client logs every reconnect attempt; nothing here needs SASL either.
        System.setProperty("zookeeper.sasl.client", "false");
        // The same buffer limit as the daemon's server (see ZkLimits); made after the properties above.
        ZKClientConfig clientConfig = ZkLimits.clientConfig();
        if (tls != null) {
            tls.applyTo(clientConfig);
        }
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(address.connectString())
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) Math.min(3000, sessionTimeout.toMillis()))
                .retryPolicy(new ExponentialBackoffRetry(100, 3, 1000))
                .zkClientConfig(clientConfig);
        if (localPeerFirst) {
            builder.zookeeperFactory(LOCAL_PEER_FIRST);
        }
        if (credentials != null) {
            // Curator sends the credentials again on every new session, before anything else.
            builder.authorization(StoreCredentials.SCHEME, credentials.authBytes())
                    .aclProvider(StoreAcls.provider(credentials));
        }
        CuratorFramework client = builder.build();
        client.start();
        return client;
    }

    public static CuratorFramework startAndWait(DcsAddress address, Duration sessionTimeout, String localAddress,
                                                Duration wait) {
        return startAndWait(address, sessionTimeout, localAddress, null, wait);
    }

    public static CuratorFramework startAndWait(DcsAddress address, Duration sessionTimeout, String localAddress,
                                                StoreCredentials credentials, Duration wait) {
        return startAndWait(address, sessionTimeout, localAddress, credentials, null, wait);
    }

    public static CuratorFramework startAndWait(DcsAddress address, Duration sessionTimeout, String localAddress,
                                                StoreCredentials credentials, ZkTls tls, Duration wait) {
        return startAndWait(address, sessionTimeout, localAddress, credentials, tls, wait, false);
    }

    public static CuratorFramework startAndWait(DcsAddress address, Duration sessionTimeout, String localAddress,
                                                StoreCredentials credentials, ZkTls tls, Duration wait,
                                                boolean localPeerFirst) {
        CuratorFramework client = start(address, sessionTimeout, localAddress, credentials, tls, localPeerFirst);
        try {
            if (!client.blockUntilConnected((int) wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                client.close();
                throw new StoreException("cannot reach the coordination store at " + address);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new StoreException("interrupted while connecting to " + address, e);
        }
        return client;
    }
}
