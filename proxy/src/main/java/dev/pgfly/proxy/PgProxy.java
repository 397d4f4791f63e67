package dev.pgfly.proxy;

import dev.pgfly.core.coord.ClusterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a cluster. The primary port pipes to the ready leader of the newest term
 * and, when the leader changes or goes away, closes every connection opened under the former one
 * (S3); while no primary exists, new clients are held, not refused, up to the hold timeout.
 * The replica port spreads clients over the healthy replicas of its own region (least connections,
 * ties round-robin: {@link ReplicaChoice}), then of any region, or sends them to the primary when none
 * qualifies. The proxy does not parse the PostgreSQL protocol: SSL negotiation and
 * authentication pass through untouched.
 */
public final class PgProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgProxy.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 3000;
    /** Between two connection attempts to a primary that refused: short, a new primary is served at once. */
    private static final long RECONNECT_PAUSE_MILLIS = 100;
    /** Over a cap, the refusal is written without waiting for the client: it must not cost a thread. */
    private static final String TOO_MANY_CONNECTIONS = "53300";

    private final ProxyConfig config;
    private final RouteTable routes;
    private final Waker waker;
    private final ProxyMetrics metrics = new ProxyMetrics();
    private final Set<ProxiedConnection> open = ConcurrentHashMap.newKeySet();
    private final ConnectionLimits<Socket> limits;
    private final ReplicaBalancer replicas = new ReplicaBalancer();
    private final RateLimitedLog noisy = new RateLimitedLog(log, Duration.ofSeconds(10));
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("route-refresh").daemon(true).factory());
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final AtomicLong lastWake = new AtomicLong();
    private final ServerSocket primaryServer;
    private final ServerSocket replicaServer;
    private volatile boolean closed;

    private PgProxy(ProxyConfig config, ClusterStore store, Waker waker) throws IOException {
        this.config = config;
        this.waker = waker;
        this.limits = new ConnectionLimits<>(config.maxConnections(), config.maxConnectionsPerSource());
        this.routes = new RouteTable(store, this::primaryChanged);
        this.primaryServer = bind(config.bindHost(), config.primaryPort());
        ServerSocket replica = null;
        try {
            replica = config.replicaPort() > 0 ? bind(config.bindHost(), config.replicaPort()) : null;
        } catch (IOException e) {
            primaryServer.close();
            throw e;
        }
        this.replicaServer = replica;
        routes.refresh();
        store.onChange(this::queueRefresh);
        refresher.scheduleWithFixedDelay(this::queueRefresh, 1, 1, TimeUnit.SECONDS);
    }

    public static PgProxy start(ProxyConfig config, ClusterStore store, Waker waker) throws IOException {
        PgProxy proxy = new PgProxy(config, store, waker);
        Thread.ofPlatform().name("accept-primary").start(() -> proxy.acceptLoop(proxy.primaryServer, true));
        if (proxy.replicaServer != null) {
            Thread.ofPlatform().name("accept-replica").start(() -> proxy.acceptLoop(proxy.replicaServer, false));
        }
        log.info("proxy listening: primary {}:{}, replicas {} ({} pipe threads); at most {} clients, {} per source"
                        + " address, {} s to send a startup packet", config.bindHost(), proxy.primaryPort(),
                proxy.replicaServer == null ? "off" : config.bindHost() + ":" + proxy.replicaPort(), ConnectionThreads.kind(),
                config.maxConnections(), config.maxConnectionsPerSource(), config.startupTimeout().toSeconds());
        return proxy;
    }

    private static ServerSocket bind(String host, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(new InetSocketAddress(host, port), 1024);
        } catch (BindException e) {
            s.close();
            throw new BindException("port " + host + ":" + port + " is already in use");
        }
        return s;
    }

    public int primaryPort() {
        return primaryServer.getLocalPort();
    }

    public int replicaPort() {
        return replicaServer == null ? 0 : replicaServer.getLocalPort();
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    private void queueRefresh() {
        if (closed || !refreshQueued.compareAndSet(false, true)) {
            return;
        }
        refresher.execute(() -> {
            refreshQueued.set(false);
            routes.refresh();
            dropUnhealthyReplicaConnections();
        });
    }

    /** S3: nothing stays connected to a primary that is no longer the newest term's leader. */
    private void primaryChanged() {
        metrics.routeChanges.incrementAndGet();
        for (ProxiedConnection c : open) {
            if (c.primaryPort && !routes.stillLeads(c.route)) {
                c.close();
                metrics.closedOnTermChange.incrementAndGet();
            }
        }
    }

    private void dropUnhealthyReplicaConnections() {
        Route primary = routes.primary();
        for (ProxiedConnection c : open) {
            boolean toPrimary = primary != null && c.route.member().equals(primary.member());
            if (!c.primaryPort && !toPrimary && !routes.isHealthyReplica(c.route.member(), config.maxReplicaLagBytes())) {
                c.close();
            }
        }
    }

    private void acceptLoop(ServerSocket server, boolean primaryPort) {
        AcceptBackoff backoff = new AcceptBackoff();
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // Out of descriptors (EMFILE) an accept fails again at once: pause instead of spinning.
                metrics.acceptFailures.incrementAndGet();
                long pause = backoff.failed();
                noisy.warn("accept", "accept failed: " + e + "; pausing accepts for " + pause + " ms");
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            backoff.succeeded();
            admit(client, primaryPort);
        }
    }

    /** Counts a new client against the caps (see {@link ConnectionLimits}) and serves it, or refuses it. */
    private void admit(Socket client, boolean primaryPort) {
        String source = client.getInetAddress().getHostAddress();
        ConnectionLimits.Admission<Socket> admission = limits.admit(client, source);
        if (!admission.admitted()) {
            metrics.overCap.incrementAndGet();
            noisy.warn("over-cap", "refused a client from " + source + ": " + admission.refusal());
            refuseAtOnce(client, "pgfly proxy: " + admission.refusal());
            return;
        }
        admission.evicted().ifPresent(silent -> {
            metrics.evictedSilent.incrementAndGet();
            noisy.warn("evicted", "at a connection cap: closed the oldest client from "
                    + silent.getInetAddress().getHostAddress() + " that had sent no startup packet yet, to admit one from "
                    + source);
            closeQuietly(silent);
        });
        try {
            ConnectionThreads.startClient(() -> serve(client, primaryPort));
        } catch (RuntimeException | OutOfMemoryError e) {
            limits.release(client);
            closeQuietly(client);
            noisy.warn("thread", "cannot serve a client from " + source + ": " + e);
        }
    }

    private void serve(Socket client, boolean primaryPort) {
        try {
            serveAdmitted(client, primaryPort);
        } finally {
            limits.release(client);
        }
    }

    private void serveAdmitted(Socket client, boolean primaryPort) {
        try {
            client.setTcpNoDelay(true);
            // Like PostgreSQL's authentication_timeout: a client that does not send its whole startup
            // packet in time (silent, or dripping it a byte at a time) is let go.
            StartupPacket first;
            try {
                first = StartupPacket.read(new DeadlineInputStream(client, config.startupTimeout()));
            } catch (SocketTimeoutException e) {
                metrics.startupTimeouts.incrementAndGet();
                closeQuietly(client);
                return;
            }
            if (!limits.started(client)) {
                // Evicted to make room while its startup packet arrived: already closed.
                closeQuietly(client);
                return;
            }
            client.setSoTimeout(0);
            long arrived = System.currentTimeMillis();
            Optional<Route> replica = primaryPort ? Optional.empty()
                    : routes.replica(config.region(), config.maxReplicaLagBytes(), replicas);
            Route route = primaryPort ? primaryRoute(arrived) : replica.orElseGet(() -> primaryRouteQuietly(arrived));
            if (route == null) {
                metrics.refused.incrementAndGet();
                String reason = routes.wakeFailure(arrived)
                        .map(state -> "the database could not be started (" + state + ")")
                        .orElse("no primary is available after waiting " + config.holdTimeout().toSeconds() + " s");
                refuse(client, first, "57P03", "pgfly proxy: " + reason);
                return;
            }
            try {
                connectAndPipe(client, first, route, primaryPort, arrived);
            } finally {
                // The replica stays counted while its connection is open: that is the balancer's load.
                replica.ifPresent(r -> replicas.release(r.member()));
            }
        } catch (IOException e) {
            closeQuietly(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(client);
        }
    }

    /**
     * Connects to {@code route}'s PostgreSQL, hands it the client's startup packet and pipes until either side
     * ends. On the primary port a primary that refuses or does not answer (killed, its host gone, while the
     * leader node still names it) does not make the client fail: it is held, as while there is no leader,
     * and served by whichever primary answers first until the hold time (counted from its arrival) ends.
     */
    private void connectAndPipe(Socket client, StartupPacket first, Route given, boolean primaryPort, long arrived)
            throws IOException, InterruptedException {
        Route route = given;
        Socket backend;
        boolean held = false;
        while (true) {
            backend = new Socket();
            backend.setTcpNoDelay(true);
            try {
                backend.connect(new InetSocketAddress(route.host(), route.port()), CONNECT_TIMEOUT_MILLIS);
                backend.getOutputStream().write(first.bytes());
                break;
            } catch (IOException e) {
                closeQuietly(backend);
                Route next = primaryPort ? primaryAfterFailedConnect(arrived) : null;
                if (next == null) {
                    metrics.refused.incrementAndGet();
                    refuse(client, first, "08006", "pgfly proxy: cannot reach " + route.member() + " at " + route.host()
                            + ":" + route.port() + " (" + e.getMessage() + ")"
                            + (primaryPort ? " and no primary answered within " + config.holdTimeout().toSeconds() + " s" : ""));
                    return;
                }
                if (!held) {
                    metrics.held.incrementAndGet();
                    held = true;
                }
                route = next;
            }
        }
        ProxiedConnection conn = new ProxiedConnection(client, backend, route, primaryPort);
        open.add(conn);
        (primaryPort ? metrics.primaryOpen : metrics.replicaOpen).incrementAndGet();
        (primaryPort ? metrics.primaryTotal : metrics.replicaTotal).incrementAndGet();
        // The route may have changed while connecting: re-check before piping.
        Route current = routes.primary();
        if (primaryPort && (current == null || current.term() != route.term())) {
            conn.close();
        }
        try {
            conn.pipe(metrics.bytesToServer, metrics.bytesToClient);
        } finally {
            open.remove(conn);
            (primaryPort ? metrics.primaryOpen : metrics.replicaOpen).decrementAndGet();
        }
    }

    /**
     * Over a cap: an ErrorResponse (SQLSTATE 53300, as PostgreSQL's "too many clients") written before
     * the client's startup packet is read (libpq and PgJDBC report an error that arrives early,
     * as PostgreSQL's postmaster sends one when it cannot start a backend), then close. Nothing waits
     * on the client: refusing must cost neither a thread nor a descriptor beyond this call.
     */
    private static void refuseAtOnce(Socket client, String message) {
        try {
            // A new socket's send buffer is empty: this small write does not block.
            client.getOutputStream().write(StartupPacket.errorResponse(TOO_MANY_CONNECTIONS, message));
            client.shutdownOutput();
        } catch (IOException e) {
            log.debug("could not send the refusal: {}", e.toString());
        } finally {
            closeQuietly(client);
        }
    }

    private static void refuse(Socket client, StartupPacket first, String sqlState, String message) {
        try {
            client.setSoTimeout(5000);
            StartupPacket.refuse(first, client.getInputStream(), client.getOutputStream(), sqlState, message);
        } catch (IOException e) {
            log.debug("could not send the refusal: {}", e.toString());
        } finally {
            closeQuietly(client);
        }
    }

    /**
     * The primary to try next after one refused or timed out: the same one a moment later (it may be
     * restarting) or the next term's, waiting for a leader if there is none; null once the client's hold
     * time is over.
     */
    private Route primaryAfterFailedConnect(long arrived) throws InterruptedException {
        long deadline = arrived + config.holdTimeout().toMillis();
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
            return null;
        }
        Thread.sleep(Math.min(RECONNECT_PAUSE_MILLIS, left));
        queueRefresh();
        Route r = routes.primary();
        if (r != null) {
            return System.currentTimeMillis() < deadline ? r : null;
        }
        left = deadline - System.currentTimeMillis();
        return left <= 0 ? null : routes.awaitPrimary(left, this::wakeAtMostOncePerSecond,
                () -> routes.wakeFailure(arrived).isPresent());
    }

    private Route primaryRoute(long arrived) throws InterruptedException {
        Route r = routes.primary();
        if (r != null) {
            return r;
        }
        metrics.held.incrementAndGet();
        queueRefresh();
        return routes.awaitPrimary(config.holdTimeout().toMillis(), this::wakeAtMostOncePerSecond,
                () -> routes.wakeFailure(arrived).isPresent());
    }

    private Route primaryRouteQuietly(long arrived) {
        try {
            return primaryRoute(arrived);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void wakeAtMostOncePerSecond() {
        long now = System.currentTimeMillis();
        long last = lastWake.get();
        if (waker != null && now - last >= 1000 && lastWake.compareAndSet(last, now)) {
            metrics.wakeUps.incrementAndGet();
            Thread.ofVirtual().start(() -> {
                try {
                    waker.wake();
                } catch (RuntimeException e) {
                    log.warn("wake-up failed: {}", e.toString());
                }
            });
        }
    }

    /** The replica port's connection counts: tests wait on them to see closed clients released. */
    ReplicaBalancer replicaBalancer() {
        return replicas;
    }

    Optional<Route> currentPrimary() {
        return Optional.ofNullable(routes.primary());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        refresher.shutdownNow();
        closeQuietly(primaryServer);
        if (replicaServer != null) {
            closeQuietly(replicaServer);
        }
        open.forEach(ProxiedConnection::close);
    }

    /** Reads from a socket until a deadline: each read waits at most for the time left. */
    private static final class DeadlineInputStream extends java.io.FilterInputStream {
        private final Socket socket;
        private final long deadline;

        DeadlineInputStream(Socket socket, Duration timeout) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        private void arm() throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("no startup packet in time");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }

        @Override
        public int read() throws IOException {
            arm();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return super.read(b, off, len);
        }
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
