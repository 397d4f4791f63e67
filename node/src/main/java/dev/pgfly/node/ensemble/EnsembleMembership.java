package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.StoreException;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.coord.ZkTls;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Changes the ensemble's membership with ZooKeeper's incremental reconfiguration, through a client that is
 * authenticated as pgfly's store identity (the peers' super user, see {@link EnsemblePeer#start}).
 *
 * <p>Each change names the configuration version it was decided on, and is retried while ZooKeeper says
 * another reconfig is running, the version moved on, or (adding a voter) the new peer is not yet in sync
 * with the leader: ZooKeeper commits a membership only when a quorum of its voters is connected. Adding a
 * peer that is already there with the same line, or removing one that is not there, changes nothing.
 */
public final class EnsembleMembership implements AutoCloseable {
    /** How long a change waits for the new peer to catch up and for other changes to finish. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT = Duration.ofSeconds(15);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(250);
    private static final Logger log = LoggerFactory.getLogger(EnsembleMembership.class);

    private final CuratorFramework client;
    private final boolean ownsClient;

    /** Uses a client the caller owns; it must be authenticated with pgfly's store credentials. */
    public EnsembleMembership(CuratorFramework client) {
        this(client, false);
    }

    /** Connects to {@code connectString} as pgfly; {@link #close} closes that connection. */
    public EnsembleMembership(String connectString, StoreCredentials credentials) {
        this(connectString, credentials, null);
    }

    /** As above, over TLS when {@code tls} is not null (the peers of an installation of several hosts). */
    public EnsembleMembership(String connectString, StoreCredentials credentials, ZkTls tls) {
        this(ZkConnections.startAndWait(new DcsAddress(connectString, "/pgfly"), ZkConnections.DEFAULT_SESSION_TIMEOUT,
                null, credentials, tls, CONNECT), true);
    }

    private EnsembleMembership(CuratorFramework client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
    }

    /** The peers, by id, as the leader last committed them. */
    public List<PeerAddress> current() {
        return config().peers();
    }

    /** The membership and its version, after a sync with the leader (the connected peer may lag behind). */
    public EnsembleConfig config() {
        try {
            sync();
            Stat stat = new Stat();
            byte[] data = client.getConfig().storingStatIn(stat).forEnsemble();
            return EnsembleConfig.parse(new String(data, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while reading the ensemble's configuration", e);
        } catch (Exception e) {
            throw new StoreException("cannot read the ensemble's configuration: " + e.getMessage(), e);
        }
    }

    /** Adds {@code peer}, or changes its role or ports if its id is there with others. */
    public void add(PeerAddress peer) {
        add(peer, DEFAULT_TIMEOUT);
    }

    public void add(PeerAddress peer, Duration timeout) {
        change("add " + peer.serverLine(), timeout, config -> {
            PeerAddress existing = config.peer(peer.id()).orElse(null);
            if (peer.equals(existing)) {
                return null;
            }
            for (PeerAddress other : config.peers()) {
                if (other.id() != peer.id() && other.clientAddress().equals(peer.clientAddress())) {
                    throw new IllegalArgumentException("peer " + other.id() + " already listens at " + peer.clientAddress());
                }
            }
            return () -> client.reconfig().joining(peer.serverLine()).fromConfig(config.version()).forEnsemble();
        });
    }

    /** Removes peer {@code id}; ZooKeeper refuses to remove the last voter. */
    public void remove(int id) {
        remove(id, DEFAULT_TIMEOUT);
    }

    public void remove(int id, Duration timeout) {
        change("remove " + id, timeout, config -> {
            if (config.peer(id).isEmpty()) {
                return null;
            }
            return () -> client.reconfig().leaving(Integer.toString(id)).fromConfig(config.version()).forEnsemble();
        });
    }

    /** {@code h1:c1,h2:c2,...}: every peer's client address, as clients want it. */
    public static String connectString(List<PeerAddress> peers) {
        return peers.stream().map(PeerAddress::clientAddress).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    /** A reconfig decided on one configuration, or null when that configuration needs no change. */
    private interface Plan {
        Reconfig decide(EnsembleConfig config);
    }

    private interface Reconfig {
        byte[] run() throws Exception;
    }

    private void change(String what, Duration timeout, Plan plan) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        int attempts = 0;
        while (true) {
            EnsembleConfig config = config();
            Reconfig reconfig = plan.decide(config);
            if (reconfig == null) {
                log.info("ensemble: {} changes nothing (configuration {})", what, Long.toHexString(config.version()));
                return;
            }
            attempts++;
            try {
                byte[] result = reconfig.run();
                EnsembleConfig now = EnsembleConfig.parse(new String(result, StandardCharsets.UTF_8));
                log.info("ensemble: {} done, configuration {} after {} attempt(s): {}", what,
                        Long.toHexString(now.version()), attempts, connectString(now.peers()));
                return;
            } catch (KeeperException.ReconfigInProgress | KeeperException.NewConfigNoQuorum
                     | KeeperException.BadVersionException | KeeperException.ConnectionLossException e) {
                // another change is running, the membership moved on, or the new peer is still catching up
                last = e;
            } catch (KeeperException.NoAuthException e) {
                throw new StoreException("cannot " + what + ": this identity may not reconfigure the ensemble"
                        + " (the peers' super user is the node's store identity)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted: " + what, e);
            } catch (Exception e) {
                throw new StoreException("cannot " + what + ": " + e.getMessage(), e);
            }
            if (System.nanoTime() > deadline) {
                throw new StoreException("cannot " + what + " within " + timeout.toSeconds() + " s (" + attempts
                        + " attempts): " + last.getMessage(), last);
            }
            pause();
        }
    }

    /** Brings the connected peer up to date with the leader, so that reading the configuration sees the last change. */
    private void sync() throws Exception {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        client.getZookeeperClient().getZooKeeper().sync(ZooDefs.CONFIG_NODE, (rc, path, ctx) -> done.complete(rc), null);
        int rc = done.get(CONNECT.toMillis(), TimeUnit.MILLISECONDS);
        if (rc != KeeperException.Code.OK.intValue()) {
            throw KeeperException.create(KeeperException.Code.get(rc), ZooDefs.CONFIG_NODE);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while changing the ensemble", e);
        }
    }
}
