package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkTls;
import org.apache.zookeeper.server.DatadirCleanupManager;
import org.apache.zookeeper.server.NettyServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.auth.ProviderRegistry;
import org.apache.zookeeper.server.auth.X509AuthenticationProvider;
import org.apache.zookeeper.server.quorum.QuorumPeer;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.security.sasl.SaslException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A ZooKeeper quorum peer inside the node, for multi-host mode (the one-host mode keeps its standalone
 * server). The first node's peer starts alone, as a one-voter ensemble; later nodes' peers start with the
 * current members plus themselves and are then added by a reconfig ({@link EnsembleMembership#add}).
 *
 * <p>How a joiner gets in: its own configuration is version 0, the ensemble's is newer (a leader gives the
 * initial configuration the version of its first transaction), so the joiner takes the ensemble's
 * membership from the first election message it hears, finds itself absent, and follows the leader as a
 * non-voting follower. That is the state a reconfig needs to make it a voter: ZooKeeper commits a new
 * membership only once a quorum of the new voters is connected and in sync.
 *
 * <p>With TLS ({@link ZkTls}: an installation of several hosts), the quorum and the client port speak
 * TLS only, with certificates of the installation's CA (settings: {@link PeerSettings#tlsConfig}). The
 * client port is the one of the peer's server line: ZooKeeper's separate {@code secureClientPort} exists
 * only in the static file, so a reconfig could neither publish nor move it, while the server line's
 * port is what the ensemble's configuration tells every client. ZooKeeper opens that port as a plain
 * listener; the peer marks it secure (Netty's {@code setSecure}) before the listener is bound, so no
 * connection on it is ever plain text.
 *
 * <p>Its files ({@link PeerFiles}) live in one directory; restarting with the same directory brings the
 * peer back with the membership it last knew and its data, and {@code initial} is then ignored.
 */
public final class EnsemblePeer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EnsemblePeer.class);
    /** How long start waits for ZooKeeper to open its ports and begin looking for a leader. */
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN = Duration.ofSeconds(15);

    private final PeerAddress self;
    private final Runner runner;
    private final Thread thread;
    private final DatadirCleanupManager cleaner;

    private EnsemblePeer(PeerAddress self, Runner runner, Thread thread, DatadirCleanupManager cleaner) {
        this.self = self;
        this.runner = runner;
        this.thread = thread;
        this.cleaner = cleaner;
    }

    /**
     * Starts the peer, creating its files on the first start, and returns once it is running (it may
     * still be looking for a leader: a restarted peer of an ensemble that lost its quorum waits for it).
     *
     * @param initial     the ensemble to start with when the directory is new: for the first node just
     *                    itself, for a joiner the current members (EnsembleMembership.current) plus itself
     * @param credentials pgfly's store identity: it becomes the peer's super user, which reconfig needs
     */
    public static EnsemblePeer start(Path dataDir, PeerAddress self, List<PeerAddress> initial,
                                     StoreCredentials credentials) throws IOException {
        return start(dataDir, self, initial, credentials, null);
    }

    /**
     * @param tls the node's TLS files, or null for plain text. ZooKeeper's TLS settings are process-wide:
     *            every peer of one process uses the same files (one per host in pgfly; a test of several
     *            peers in one JVM needs one certificate that names all their addresses).
     */
    public static EnsemblePeer start(Path dataDir, PeerAddress self, List<PeerAddress> initial,
                                     StoreCredentials credentials, ZkTls tls) throws IOException {
        ServerProcessSettings.apply();
        SuperIdentity.install(credentials);
        PeerFiles files = new PeerFiles(dataDir);
        if (files.exists()) {
            int existing = files.existingId().orElseThrow(() -> new IOException(files.dataDir() + " has no myid"));
            if (existing != self.id()) {
                throw new IllegalArgumentException(dataDir + " belongs to peer " + existing + ", not " + self.id());
            }
            log.info("quorum peer {} restarts from {}", self.id(), dataDir);
        } else {
            List<PeerAddress> members = PeerFiles.startingMembers(self, initial);
            files.create(self, members, PeerSettings.DEFAULT);
            log.info("quorum peer {} created in {} with {}", self.id(), dataDir, EnsembleMembership.connectString(members));
        }
        files.writeTls(tls);
        QuorumPeerConfig config = new QuorumPeerConfig();
        try {
            config.parse(files.staticConfig().toString());
        } catch (QuorumPeerConfig.ConfigException e) {
            throw new IOException("cannot read " + files.staticConfig() + ": " + e.getMessage(), e);
        }
        if (tls != null) {
            requireTlsFiles(tls);
            installX509Provider();
        }
        Runner runner = new Runner(tls != null);
        Thread thread = new Thread(() -> runner.run(config), "zk-peer-" + self.id());
        thread.setDaemon(true);
        thread.start();
        try {
            runner.started.get(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runner.close();
            throw new IOException("interrupted while starting quorum peer " + self.id(), e);
        } catch (ExecutionException e) {
            runner.close();
            throw new IOException("quorum peer " + self.id() + " did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            runner.close();
            throw new IOException("quorum peer " + self.id() + " did not start within " + STARTUP.toSeconds() + " s");
        }
        DatadirCleanupManager cleaner = new DatadirCleanupManager(config.getDataDir(), config.getDataLogDir(),
                config.getSnapRetainCount(), config.getPurgeInterval());
        cleaner.start();
        return new EnsemblePeer(self, runner, thread, cleaner);
    }

    private static void requireTlsFiles(ZkTls tls) throws IOException {
        for (Path file : List.of(tls.trustStore(), tls.keyStore())) {
            if (!java.nio.file.Files.isReadable(file)) {
                throw new IOException("the quorum peer's TLS file " + file + " is missing");
            }
        }
    }

    /**
     * ZooKeeper checks a TLS client's certificate with the provider its {@code authProvider.x509} names; the
     * registry may have been initialised before {@code zoo.cfg} set that property (SuperIdentity does), and
     * the provider reads the trust store when it is made, so it is (re)made now, after the parse.
     */
    private static void installX509Provider() {
        ProviderRegistry.addOrUpdateProvider(ProviderRegistry.AUTHPROVIDER_PROPERTY_PREFIX + "x509");
        if (!(ProviderRegistry.getProvider("x509") instanceof X509AuthenticationProvider)) {
            throw new IllegalStateException("cannot install ZooKeeper's x509 provider for TLS clients");
        }
    }

    /** This peer's client address, {@code host:port}. */
    public String connectString() {
        return self.clientAddress();
    }

    public PeerAddress self() {
        return self;
    }

    public int id() {
        return self.id();
    }

    public PeerState state() {
        QuorumPeer peer = runner.peer;
        if (peer == null || !thread.isAlive()) {
            return PeerState.STOPPED;
        }
        return PeerState.of(peer.getPeerState());
    }

    /** Stops the peer; its files stay, for a restart. */
    @Override
    public void close() {
        cleaner.shutdown();
        runner.close();
        try {
            thread.join(SHUTDOWN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("quorum peer {} did not stop within {} s", self.id(), SHUTDOWN.toSeconds());
        }
    }

    @Override
    public String toString() {
        return "quorum peer " + self.id() + " at " + connectString();
    }

    /**
     * ZooKeeper's own start-up sequence ({@link QuorumPeerMain#runFromConfig}: client port, database,
     * election, metrics), on a thread of the node; it returns when the peer stops.
     */
    private static final class Runner extends QuorumPeerMain {
        final CompletableFuture<Void> started = new CompletableFuture<>();
        volatile QuorumPeer peer;
        private final boolean secureClientPort;
        private boolean closed;

        Runner(boolean secureClientPort) {
            this.secureClientPort = secureClientPort;
        }

        @Override
        protected synchronized QuorumPeer getQuorumPeer() throws SaslException {
            if (closed) {
                // closed before ZooKeeper got this far (a start that timed out): do not start after all
                throw new IllegalStateException("the quorum peer was closed while starting");
            }
            QuorumPeer created = secureClientPort ? new SecureClientPortPeer() : super.getQuorumPeer();
            peer = created;
            return created;
        }

        void run(QuorumPeerConfig config) {
            Thread watcher = new Thread(this::reportStarted, Thread.currentThread().getName() + "-start");
            watcher.setDaemon(true);
            watcher.start();
            try {
                runFromConfig(config);
            } catch (Exception | Error e) {
                started.completeExceptionally(e);
                log.error("quorum peer stopped: {}", e.toString());
                return;
            }
            started.completeExceptionally(new IOException("the quorum peer stopped while starting"));
        }

        /** The peer has started once ZooKeeper started its thread (after the ports and the database). */
        private void reportStarted() {
            while (!started.isDone()) {
                QuorumPeer current = peer;
                if (current != null && current.isAlive()) {
                    started.complete(null);
                    return;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            QuorumPeer current;
            synchronized (this) {
                closed = true;
                current = peer;
            }
            if (current != null) {
                current.shutdown();
            }
        }
    }

    /**
     * ZooKeeper's peer, given its client listener (made by {@link QuorumPeerMain#runFromConfig}, configured
     * as plain text, not yet bound) and making it TLS-only: Netty's listener decides per connection from
     * its {@code secure} flag, and a reconfig that moves the listener keeps the flag.
     */
    private static final class SecureClientPortPeer extends QuorumPeer {
        SecureClientPortPeer() throws SaslException {
            super();
        }

        @Override
        public void setCnxnFactory(ServerCnxnFactory factory) {
            if (factory != null) {
                if (!(factory instanceof NettyServerCnxnFactory netty)) {
                    throw new IllegalStateException("TLS on the client port needs Netty's server, not "
                            + factory.getClass().getName() + " (zookeeper.serverCnxnFactory)");
                }
                netty.setSecure(true);
            }
            super.setCnxnFactory(factory);
        }
    }
}
