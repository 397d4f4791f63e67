package dev.pgfly.core.coord;

import org.apache.zookeeper.client.HostProvider;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The order in which a ZooKeeper client tries the ensemble's servers: the ones on this host first, then the
 * others in a shuffled order (to spread clients, as ZooKeeper's own {@code StaticHostProvider} does).
 *
 * <p>Why not ZooKeeper's provider: it shuffles every server alike, so a primary's agent is as likely to hang
 * on a peer across the network as on its own host's. When that other host crashes, the connection drops,
 * Curator reports SUSPENDED, and S1 fences the primary (an immediate stop and a restart: seconds of no
 * writes) although its session lives on and nothing failed over. Held to the peer beside it, the agent only
 * sees a disconnect when its own host's peer stops serving (this host failed, or the ensemble lost its leader).
 *
 * <p>Agents and proxies use it; a node does not: its client changes the ensemble, and ZooKeeper's
 * {@code ZooKeeperAdmin} (which reconfiguration needs) takes no host provider.
 *
 * <p>Also unlike ZooKeeper's, {@link #updateServerList} never asks for a reconnect: ZooKeeper moves clients
 * to rebalance after a reconfiguration, and every such move is a disconnect a leading agent must fence on.
 */
public final class LocalFirstHostProvider implements HostProvider {
    private final Predicate<InetAddress> isLocal;
    private List<InetSocketAddress> order;
    /** Servers tried since the last connection: a full round without success waits {@code spinDelay}. */
    private int triedSinceConnected;

    public LocalFirstHostProvider(Collection<InetSocketAddress> servers) {
        this(servers, LocalFirstHostProvider::isThisHost);
    }

    LocalFirstHostProvider(Collection<InetSocketAddress> servers, Predicate<InetAddress> isLocal) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a ZooKeeper client needs at least one server");
        }
        this.isLocal = isLocal;
        this.order = ordered(servers);
    }

    @Override
    public synchronized int size() {
        return order.size();
    }

    @Override
    public InetSocketAddress next(long spinDelay) {
        InetSocketAddress next;
        boolean roundDone;
        synchronized (this) {
            int index = triedSinceConnected % order.size();
            roundDone = triedSinceConnected > 0 && index == 0;
            triedSinceConnected++;
            next = order.get(index);
        }
        if (roundDone && spinDelay > 0) {
            try {
                Thread.sleep(spinDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Resolved on every use, as ZooKeeper does: a name may point elsewhere after a host moved.
        return next.isUnresolved() ? new InetSocketAddress(next.getHostString(), next.getPort()) : next;
    }

    /** After a disconnect the next attempt starts again with this host's server. */
    @Override
    public synchronized void onConnected() {
        triedSinceConnected = 0;
    }

    @Override
    public synchronized boolean updateServerList(Collection<InetSocketAddress> servers, InetSocketAddress current) {
        if (!servers.isEmpty()) {
            order = ordered(servers);
        }
        return false;
    }

    /** The order of attempts, for tests and logs. */
    synchronized List<InetSocketAddress> order() {
        return List.copyOf(order);
    }

    private List<InetSocketAddress> ordered(Collection<InetSocketAddress> servers) {
        List<InetSocketAddress> local = new ArrayList<>();
        List<InetSocketAddress> remote = new ArrayList<>();
        for (InetSocketAddress s : servers) {
            InetAddress address = s.isUnresolved() ? resolvedOrNull(s.getHostString()) : s.getAddress();
            (address != null && isLocal.test(address) ? local : remote).add(s);
        }
        Collections.shuffle(remote);
        local.addAll(remote);
        return local;
    }

    /** An address of one of this host's (this network namespace's) interfaces, loopback included. */
    static boolean isThisHost(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private static InetAddress resolvedOrNull(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null; // tried last; ZooKeeper reports it when the client gets to it
        }
    }
}
