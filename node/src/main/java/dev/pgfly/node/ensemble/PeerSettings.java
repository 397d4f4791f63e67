package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.ZkTls;

import java.nio.file.Path;
import java.util.List;

/**
 * The settings of pgfly's quorum peers: those of the one-host server (dev.pgfly.node.EmbeddedZooKeeper)
 * where they mean the same, plus what an ensemble that grows needs.
 */
record PeerSettings(int tickMillis, int initLimitTicks, int syncLimitTicks, int minSessionMillis,
                    int maxSessionMillis, int maxConnectionsPerAddress) {

    /**
     * A short tick, as on one host, so that sessions expire in seconds. A follower has
     * {@code initLimit} (10 s) to connect to a new leader and copy its data, ample for pgfly's few
     * megabytes; a peer that hears nothing from the other side for {@code syncLimit} (2.5 s) drops it,
     * which bounds how long a vanished leader (a host cut off rather than stopped) holds up an election.
     */
    static final PeerSettings DEFAULT = new PeerSettings(500, 20, 5, 1000, 30_000, 200);

    /**
     * {@code zoo.cfg}. reconfigEnabled lets the ensemble change its members; standaloneEnabled=false
     * runs a lone peer as a one-voter ensemble (a standalone server cannot grow). The quorum and
     * election ports listen on the peer's own address only. No clientPort: each peer's client address
     * is part of its server line.
     */
    String staticConfig(Path dataDir, Path dynamicConfig) {
        return String.join("\n",
                "# written by pgfly at the peer's first start; ZooKeeper edits dynamicConfigFile on reconfig",
                "tickTime=" + tickMillis,
                "initLimit=" + initLimitTicks,
                "syncLimit=" + syncLimitTicks,
                "minSessionTimeout=" + minSessionMillis,
                "maxSessionTimeout=" + maxSessionMillis,
                "maxClientCnxns=" + maxConnectionsPerAddress,
                "dataDir=" + dataDir,
                "reconfigEnabled=true",
                "standaloneEnabled=false",
                "quorumListenOnAllIPs=false",
                // the peer's own cleaner: keep three snapshots and the logs they need, look every hour
                "autopurge.snapRetainCount=3",
                "autopurge.purgeInterval=1",
                "dynamicConfigFile=" + dynamicConfig,
                "");
    }

    /**
     * The TLS lines of {@code zoo.cfg} (ZooKeeper makes process-wide {@code zookeeper.*} properties of the
     * keys it does not know, as its TLS guide expects):
     * <ul>
     * <li>the quorum: {@code sslQuorum} with PEM key and trust stores, reloaded when the files change;</li>
     * <li>the client port: Netty's server (the NIO one has no TLS), the same files, and a client certificate
     *     required ({@code ssl.clientAuth=need}), which ZooKeeper checks with its x509 provider. The port
     *     speaks TLS only: see {@link EnsemblePeer} for how the one client port of the server line is made
     *     secure, since ZooKeeper's separate {@code secureClientPort} cannot be named in a dynamic
     *     configuration and so could not follow a reconfig.</li>
     * </ul>
     * A peer's or client's own address is not checked against its certificate (a host with several
     * addresses dials from any of them, and a single-JVM test from 127.0.0.1): what admits it is a
     * certificate from the installation's CA. A client still checks the server's certificate against the
     * address it dialled.
     */
    static List<String> tlsConfig(ZkTls tls) {
        String key = tls.keyStore().toString();
        String trust = tls.trustStore().toString();
        return List.of(
                "sslQuorum=true",
                "sslQuorumReloadCertFiles=true",
                "ssl.quorum.keyStore.location=" + key,
                "ssl.quorum.keyStore.type=" + ZkTls.PEM,
                "ssl.quorum.trustStore.location=" + trust,
                "ssl.quorum.trustStore.type=" + ZkTls.PEM,
                "ssl.quorum.clientHostnameVerification=false",
                "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
                "ssl.keyStore.location=" + key,
                "ssl.keyStore.type=" + ZkTls.PEM,
                "ssl.trustStore.location=" + trust,
                "ssl.trustStore.type=" + ZkTls.PEM,
                "ssl.clientAuth=need",
                "ssl.clientHostnameVerification=false",
                "authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider");
    }

    /** Whether a {@code zoo.cfg} line is one of {@link #tlsConfig}'s keys (rewritten at every start). */
    static boolean isTlsLine(String line) {
        String key = line.contains("=") ? line.substring(0, line.indexOf('=')).strip() : line.strip();
        return key.startsWith("sslQuorum") || key.startsWith("ssl.") || key.equals("serverCnxnFactory")
                || key.equals("authProvider.x509");
    }

}
