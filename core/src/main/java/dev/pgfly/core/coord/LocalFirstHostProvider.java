package dev.pgfly.core.coord;

import org.apache.zookeeper.client.HostProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
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
 *
 * <p>After a disconnect it waits for this host's server while that server listens, for up to
 * {@link #LOCAL_PATIENCE_MILLIS}, before it tries the others. When the ensemble elects a leader, every peer
 * stops serving for a moment; without the wait a client whose own peer was still electing took whichever
 * other peer served first, and kept it: a replica's agent was later promoted while its session hung on
 * another host, whose crash then fenced it (seen in {@code MultiHostIT}). A server that does not listen
 * (its node is down) is left at once. The wait is well inside the session timeout, so the session survives
 * it on any peer.
 */
public final class LocalFirstHostProvider implements HostProvider {
    /** How long after a disconnect a listening server on this host is preferred to the others. */
    static final long LOCAL_PATIENCE_MILLIS = 2_000;
    /**
     * The same before the first connection, when no session is at stake: a JVM that just started may take
     * longer than ZooKeeper's connect timeout for its first TLS handshake (seen under load in MultiHostIT).
     */
    static final long FIRST_CONNECTION_PATIENCE_MILLIS = 6_000;
    private static final int PROBE_TIMEOUT_MILLIS = 200;

    private static final Logger log = LoggerFactory.getLogger(LocalFirstHostProvider.class);

    private final Predicate<InetAddress> isLocal;
    private final Predicate<InetSocketAddress> listens;
    /** The server of the latest attempt: the one a connection is on, once onConnected is called. */
    private InetSocketAddress lastTried;
    private final long patienceMillis;
    private final long firstConnectionPatienceMillis;
    private boolean everConnected;
    private List<InetSocketAddress> order;
    /** How many servers at the head of {@link #order} are on this host. */
    private int localCount;
    /** Servers tried since the last connection: a full round without success waits {@code spinDelay}. */
    private int triedSinceConnected;
    /** When the first attempt since the last connection was made (System.nanoTime). */
    private long firstAttemptNanos;

    public LocalFirstHostProvider(Collection<InetSocketAddress> servers) {
        this(servers, LocalFirstHostProvider::isThisHost, LocalFirstHostProvider::listens, LOCAL_PATIENCE_MILLIS,
                FIRST_CONNECTION_PATIENCE_MILLIS);
    }

    /** Without the wait for this host's server (tests of the order alone). */
    LocalFirstHostProvider(Collection<InetSocketAddress> servers, Predicate<InetAddress> isLocal) {
        this(servers, isLocal, s -> false, 0, 0);
    }

    LocalFirstHostProvider(Collection<InetSocketAddress> servers, Predicate<InetAddress> isLocal,
                           Predicate<InetSocketAddress> listens, long patienceMillis, long firstConnectionPatienceMillis) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a ZooKeeper client needs at least one server");
        }
        this.isLocal = isLocal;
        this.listens = listens;
        this.patienceMillis = patienceMillis;
        this.firstConnectionPatienceMillis = firstConnectionPatienceMillis;
        this.order = ordered(servers);
    }

    @Override
    public synchronized int size() {
        return order.size();
    }

    @Override
    public InetSocketAddress next(long spinDelay) {
        InetSocketAddress waitFor = localServerToWaitFor();
        if (waitFor != null) {
            synchronized (this) {
                lastTried = waitFor;
            }
            return resolved(waitFor); // ZooKeeper's client itself sleeps up to a second before each reconnect
        }
        InetSocketAddress next;
        boolean roundDone;
        synchronized (this) {
            int index = triedSinceConnected % order.size();
            roundDone = triedSinceConnected > 0 && index == 0;
            triedSinceConnected++;
            next = order.get(index);
            lastTried = next;
        }
        if (roundDone) {
            pause(spinDelay);
        }
        return resolved(next);
    }

    /**
     * This host's server once more, rather than the first of the others: every local server was tried since the
     * disconnect, the patience is not spent, and the server listens (its peer lives, and serves once it has a
     * leader). Null to go on to the others.
     */
    private InetSocketAddress localServerToWaitFor() {
        InetSocketAddress local;
        synchronized (this) {
            if (triedSinceConnected == 0) {
                firstAttemptNanos = System.nanoTime();
            }
            boolean localTried = localCount > 0 && triedSinceConnected == localCount;
            long patience = everConnected ? patienceMillis : firstConnectionPatienceMillis;
            if (!localTried || (System.nanoTime() - firstAttemptNanos) / 1_000_000 >= patience) {
                return null;
            }
            local = order.get(0);
        }
        return listens.test(resolved(local)) ? local : null;
    }

    private static void pause(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Resolved on every use, as ZooKeeper does: a name may point elsewhere after a host moved. */
    private static InetSocketAddress resolved(InetSocketAddress server) {
        return server.isUnresolved() ? new InetSocketAddress(server.getHostString(), server.getPort()) : server;
    }

    /** Whether something accepts connections at the address: the peer's process is up, electing or serving. */
    static boolean listens(InetSocketAddress server) {
        if (server.isUnresolved()) {
            return false;
        }
        try (Socket socket = new Socket()) {
            socket.connect(server, PROBE_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** After a disconnect the next attempt starts again with this host's server. */
    @Override
    public synchronized void onConnected() {
        if (lastTried != null) {
            log.info("store session on {} ({})", lastTried, isAmongLocal(lastTried)
                    ? "this host's peer" : "another host's peer");
        }
        triedSinceConnected = 0;
        everConnected = true;
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

    private boolean isAmongLocal(InetSocketAddress server) {
        int index = order.indexOf(server);
        return index >= 0 && index < localCount;
    }

    /** Also sets {@link #localCount}: called under the lock or from the constructor. */
    private List<InetSocketAddress> ordered(Collection<InetSocketAddress> servers) {
        List<InetSocketAddress> local = new ArrayList<>();
        List<InetSocketAddress> remote = new ArrayList<>();
        for (InetSocketAddress s : servers) {
            InetAddress address = s.isUnresolved() ? resolvedOrNull(s.getHostString()) : s.getAddress();
            (address != null && isLocal.test(address) ? local : remote).add(s);
        }
        Collections.shuffle(remote);
        localCount = local.size();
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
