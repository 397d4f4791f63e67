package dev.pgfly.proxy;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.ZkClusterStore;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.Role;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The proxy against a real ZooKeeper, with echo servers standing in for members' PostgreSQL. */
class PgProxyTest {
    private TestingServer zk;
    private ZkClusterStore proxyStore;
    private final List<ZkClusterStore> agents = new ArrayList<>();
    private final List<EchoServer> backends = new ArrayList<>();
    private PgProxy proxy;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        proxyStore = store();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        backends.forEach(EchoServer::close);
        agents.forEach(ZkClusterStore::close);
        proxyStore.close();
        zk.close();
    }

    private ZkClusterStore store() {
        DcsAddress address = DcsAddress.parse("zk://" + zk.getConnectString() + "/pgfly");
        return new ZkClusterStore(ZkConnections.startAndWait(address, Duration.ofSeconds(3), null, Duration.ofSeconds(10)),
                address.root(), "c1", true);
    }

    private PgProxy startProxy(Duration hold) throws IOException {
        proxy = PgProxy.start(new ProxyConfig("127.0.0.1", 0, 0, "fra", hold, 1024), proxyStore, null);
        return proxy;
    }

    /** An agent's session holding the leader node for {@code member} on an echo server that prefixes replies. */
    private ZkClusterStore lead(String member, EchoServer backend, boolean ready) {
        ZkClusterStore agent = store();
        agents.add(agent);
        agent.tryAcquireLeadership(member, backend.host(), backend.port()).orElseThrow();
        if (ready) {
            agent.updateLeader(agent.leader().orElseThrow().asReady());
        }
        return agent;
    }

    private EchoServer echo(String host, String name) throws IOException {
        EchoServer e = new EchoServer(host, name);
        backends.add(e);
        return e;
    }

    @Test
    void pipesBytesBothWaysToTheReadyLeader() throws Exception {
        EchoServer m1 = echo("127.0.0.1", "m1");
        lead("m1", m1, true);
        startProxy(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.currentPrimary().isPresent());
        try (Socket client = connect()) {
            assertThat(roundTrip(client, "hello")).isEqualTo("m1:hello");
        }
        // The pipe counts bytes after it wrote them: the client can read its reply first.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(proxy.metrics().bytesToServer()).isPositive();
            assertThat(proxy.metrics().bytesToClient()).isPositive();
        });
    }

    @Test
    void holdsClientsWhileThereIsNoReadyLeaderThenConnectsThem() throws Exception {
        EchoServer m1 = echo("127.0.0.1", "m1");
        ZkClusterStore agent = lead("m1", m1, false);
        startProxy(Duration.ofSeconds(20));
        try (Socket client = connect()) {
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> roundTripUnchecked(client, "wait"));
            Thread.sleep(500);
            assertThat(reply).as("held, not answered, while the leader is not ready").isNotDone();
            agent.updateLeader(agent.leader().orElseThrow().asReady());
            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("m1:wait");
        }
        assertThat(proxy.metrics().held()).isEqualTo(1);
    }

    /**
     * Issue #22 (hold, do not refuse): the leader node still names a primary that was killed (its port
     * refuses). A client arriving then is held, not refused, and served by the next term's primary.
     */
    @Test
    void aClientOfAPrimaryThatRefusesIsHeldUntilTheNextPrimaryAnswers() throws Exception {
        EchoServer m1 = echo("127.0.0.1", "m1");
        EchoServer m2 = echo("127.0.0.2", "m2");
        ZkClusterStore first = lead("m1", m1, true);
        startProxy(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.currentPrimary().isPresent());
        m1.close(); // killed: its port refuses, while its leader node lives on until its session ends
        try (Socket client = connect()) {
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> roundTripUnchecked(client, "on"));
            Thread.sleep(700);
            assertThat(reply).as("held, not refused, while the dead primary still leads").isNotDone();
            first.releaseLeadership("m1");
            lead("m2", m2, true);
            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("m2:on");
        }
        assertThat(proxy.metrics().refused()).isZero();
        assertThat(proxy.metrics().held()).isEqualTo(1);
    }

    @Test
    void aPrimaryThatKeepsRefusingIsReportedWhenTheHoldEnds() throws Exception {
        EchoServer m1 = echo("127.0.0.1", "m1");
        lead("m1", m1, true);
        startProxy(Duration.ofMillis(800));
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.currentPrimary().isPresent());
        m1.close();
        try (Socket client = connect()) {
            client.setSoTimeout(5000);
            String text = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text).contains("C08006").contains("cannot reach m1").contains("no primary answered within");
        }
        assertThat(proxy.metrics().refused()).isEqualTo(1);
    }

    @Test
    void answersAHeldClientWithAPostgresErrorAfterTheHoldTimeout() throws Exception {
        startProxy(Duration.ofMillis(300));
        try (Socket client = connect()) {
            client.setSoTimeout(5000);
            byte[] reply = client.getInputStream().readAllBytes();
            assertThat(reply[0]).as("an ErrorResponse").isEqualTo((byte) 'E');
            String text = new String(reply, StandardCharsets.UTF_8);
            assertThat(text).contains("SFATAL").contains("C57P03").contains("no primary is available");
        }
        assertThat(proxy.metrics().refused()).isEqualTo(1);
    }

    @Test
    void aJdbcClientReadsTheRefusalAsAPostgresError() throws Exception {
        startProxy(Duration.ofMillis(300));
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "app");
        p.setProperty("password", "secret");
        p.setProperty("connectTimeout", "5");
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + proxy.primaryPort() + "/postgres", p))
                .isInstanceOfSatisfying(java.sql.SQLException.class, e -> {
                    assertThat(e.getSQLState()).as(e.toString()).isEqualTo("57P03");
                    assertThat(e.getMessage()).contains("no primary is available");
                });
    }

    @Test
    void declinesSslBeforeRefusingSoThatTheClientCanReadTheError() throws Exception {
        startProxy(Duration.ofMillis(300));
        try (Socket client = new Socket("127.0.0.1", proxy.primaryPort())) {
            client.setSoTimeout(5000);
            OutputStream out = client.getOutputStream();
            out.write(packet(StartupPacket.SSL_REQUEST, new byte[0]));
            out.flush();
            InputStream in = client.getInputStream();
            assertThat(in.read()).as("SSL declined").isEqualTo('N');
            out.write(STARTUP);
            out.flush();
            assertThat(in.read()).as("then an ErrorResponse").isEqualTo('E');
        }
    }

    /**
     * TLS is between the client and PostgreSQL: the proxy forwards the SSLRequest as it is and relays the
     * member's answer, never answering for it (an 'N' from the proxy would be a downgrade).
     */
    @Test
    void anSslRequestReachesTheMemberAndItsAnswerTheClient() throws Exception {
        byte[] sslRequest = packet(StartupPacket.SSL_REQUEST, new byte[0]);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (ServerSocket member = new ServerSocket()) {
            member.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread.ofVirtual().start(() -> {
                try (Socket s = member.accept()) {
                    received.complete(s.getInputStream().readNBytes(sslRequest.length));
                    s.getOutputStream().write('S');
                    s.getOutputStream().write(s.getInputStream().readNBytes(5)); // stands in for the TLS handshake
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    received.completeExceptionally(e);
                }
            });
            ZkClusterStore agent = store();
            agents.add(agent);
            agent.tryAcquireLeadership("m1", "127.0.0.1", member.getLocalPort()).orElseThrow();
            agent.updateLeader(agent.leader().orElseThrow().asReady());
            startProxy(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.currentPrimary().isPresent());
            try (Socket client = new Socket("127.0.0.1", proxy.primaryPort())) {
                client.setSoTimeout(5000);
                client.getOutputStream().write(sslRequest);
                client.getOutputStream().flush();
                assertThat(client.getInputStream().read()).as("the member's answer").isEqualTo('S');
                assertThat(received.get(5, TimeUnit.SECONDS)).as("forwarded unchanged").isEqualTo(sslRequest);
                byte[] hello = {0x16, 0x03, 0x01, 0x00, 0x2a};
                client.getOutputStream().write(hello);
                client.getOutputStream().flush();
                assertThat(client.getInputStream().readNBytes(hello.length)).isEqualTo(hello);
            }
        }
    }

    @Test
    void aClientThatHasNotSpokenYetCostsNoBackendConnection() throws Exception {
        EchoServer m1 = echo("127.0.0.1", "m1");
        lead("m1", m1, true);
        startProxy(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.currentPrimary().isPresent());
        try (Socket silent = new Socket("127.0.0.1", proxy.primaryPort())) {
            Thread.sleep(300);
            assertThat(m1.accepted()).isZero();
            silent.getOutputStream().write(STARTUP);
            assertThat(roundTrip(silent, "late")).isEqualTo("m1:late");
            assertThat(m1.accepted()).isEqualTo(1);
            assertThat(m1.startupPackets()).as("the startup packet reaches the backend unchanged").isEqualTo(1);
        }
    }

    @Test
    void aNewTermClosesConnectionsToTheFormerPrimaryAndRoutesToTheNewOne() throws Exception {
        EchoServer m1 = echo("127.0.0.1", "m1");
        EchoServer m2 = echo("127.0.0.2", "m2");
        ZkClusterStore first = lead("m1", m1, true);
        startProxy(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.currentPrimary().isPresent());
        try (Socket old = connect()) {
            assertThat(roundTrip(old, "a")).isEqualTo("m1:a");
            first.releaseLeadership("m1");
            lead("m2", m2, true);
            old.setSoTimeout(5000);
            assertThat(old.getInputStream().read()).as("connection to the former primary dropped").isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.currentPrimary().map(r -> r.term() == 2).orElse(false));
        try (Socket fresh = connect()) {
            assertThat(roundTrip(fresh, "b")).isEqualTo("m2:b");
        }
        assertThat(proxy.metrics().closedOnTermChange()).isEqualTo(1);
    }

    @Test
    void theReplicaPortPrefersAHealthyReplicaInItsRegionAndFallsBackToThePrimary() throws Exception {
        EchoServer primary = echo("127.0.0.1", "m1");
        EchoServer near = echo("127.0.0.3", "m3");
        EchoServer far = echo("127.0.0.2", "m2");
        lead("m1", primary, true);
        int replicaPort;
        try (ServerSocket free = new ServerSocket(0)) {
            replicaPort = free.getLocalPort();
        }
        proxy = PgProxy.start(new ProxyConfig("127.0.0.1", 0, replicaPort, "fra", Duration.ofSeconds(5), 1024), proxyStore, null);
        ZkClusterStore agent = agents.getFirst();
        agent.publishMember(replica("m2", far, "syd", 0, true));
        agent.publishMember(replica("m3", near, "fra", 100, true));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            try (Socket c = pgClient(replicaPort)) {
                assertThat(roundTrip(c, "r")).isEqualTo("m3:r");
            }
        });
        agent.publishMember(replica("m3", near, "fra", 100, false));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            try (Socket c = pgClient(replicaPort)) {
                assertThat(roundTrip(c, "r")).isEqualTo("m2:r");
            }
        });
        agent.publishMember(replica("m2", far, "syd", 5000, true));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            try (Socket c = pgClient(replicaPort)) {
                assertThat(roundTrip(c, "r")).as("lagging replicas are out of rotation").isEqualTo("m1:r");
            }
        });
    }

    @Test
    void theReplicaPortSpreadsClientsOverTheRegionsHealthyReplicas() throws Exception {
        EchoServer primary = echo("127.0.0.1", "m1");
        lead("m1", primary, true);
        int replicaPort;
        try (ServerSocket free = new ServerSocket(0)) {
            replicaPort = free.getLocalPort();
        }
        proxy = PgProxy.start(new ProxyConfig("127.0.0.1", 0, replicaPort, "fra", Duration.ofSeconds(5), 1024), proxyStore, null);
        ZkClusterStore agent = agents.getFirst();
        agent.publishMember(replica("m2", echo("127.0.0.2", "m2"), "fra", 0, true));
        agent.publishMember(replica("m3", echo("127.0.0.3", "m3"), "fra", 100, true));
        agent.publishMember(replica("m4", echo("127.0.0.4", "m4"), "fra", 0, true));
        agent.publishMember(replica("m5", echo("127.0.0.5", "m5"), "syd", 0, true));
        // Until the proxy has seen all three replicas of its region (and never the far one).
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 3; i++) {
                try (Socket c = pgClient(replicaPort)) {
                    seen.add(roundTrip(c, "r"));
                }
            }
            assertThat(seen).containsExactlyInAnyOrder("m2:r", "m3:r", "m4:r");
        });
        awaitReplicasReleased();
        List<String> oneAfterAnother = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            try (Socket c = pgClient(replicaPort)) {
                oneAfterAnother.add(roundTrip(c, "r"));
            }
        }
        assertThat(oneAfterAnother).as("short connections, one after the other, take turns")
                .containsOnly("m2:r", "m3:r", "m4:r").contains("m2:r", "m3:r", "m4:r");
        awaitReplicasReleased();
        List<Socket> held = new ArrayList<>();
        try {
            List<String> together = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Socket c = pgClient(replicaPort);
                held.add(c);
                together.add(roundTrip(c, "h"));
            }
            assertThat(together).as("six clients held open: two on each of the region's replicas")
                    .containsExactlyInAnyOrder("m2:h", "m2:h", "m3:h", "m3:h", "m4:h", "m4:h");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** A closed client is released when its pipe ends, a moment after the client's close. */
    private void awaitReplicasReleased() {
        await().atMost(Duration.ofSeconds(5)).until(() -> java.util.stream.Stream.of("m2", "m3", "m4")
                .allMatch(m -> proxy.replicaBalancer().open(m) == 0));
    }

    @Test
    void aBusyPortIsReportedInOneLine() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("127.0.0.1", 0));
            assertThatThrownBy(() -> PgProxy.start(new ProxyConfig("127.0.0.1", busy.getLocalPort(), 0, null,
                    Duration.ofSeconds(1), 1024), proxyStore, null))
                    .hasMessage("port 127.0.0.1:" + busy.getLocalPort() + " is already in use");
        }
    }

    /** Caps small enough to reach in a test: 4 clients at once, 2 per source address, 1 s to speak. */
    private PgProxy startCappedProxy() throws IOException {
        proxy = PgProxy.start(new ProxyConfig("127.0.0.1", 0, 0, "fra", Duration.ofSeconds(5), 1024, 4, 2,
                Duration.ofSeconds(1)), proxyStore, null);
        return proxy;
    }

    @Test
    void silentSocketsMakeRoomForAClientThatSpeaksAndAreDroppedAfterTheStartupTimeout() throws Exception {
        EchoServer m1 = echo("127.0.0.1", "m1");
        lead("m1", m1, true);
        startCappedProxy();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.currentPrimary().isPresent());
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                silent.add(new Socket("127.0.0.1", proxy.primaryPort()));
            }
            try (Socket client = connect()) {
                assertThat(roundTrip(client, "hi")).as("a flood of silent sockets keeps nobody out").isEqualTo("m1:hi");
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(proxy.metrics().evictedSilent()).isGreaterThanOrEqualTo(9));
            Socket last = silent.getLast();
            last.setSoTimeout(5000);
            long start = System.nanoTime();
            assertThat(last.getInputStream().read()).as("dropped after the startup timeout").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(proxy.metrics().startupTimeouts()).isPositive());
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
    }

    @Test
    void overThePerSourceCapOfClientsThatSpokeTheNextIsRefusedWith53300() throws Exception {
        EchoServer m1 = echo("127.0.0.1", "m1");
        lead("m1", m1, true);
        startCappedProxy();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.currentPrimary().isPresent());
        try (Socket a = connect(); Socket b = connect()) {
            assertThat(roundTrip(a, "a")).isEqualTo("m1:a");
            assertThat(roundTrip(b, "b")).isEqualTo("m1:b");
            try (Socket third = new Socket("127.0.0.1", proxy.primaryPort())) {
                third.setSoTimeout(5000);
                String reply = new String(third.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(reply).startsWith("E").contains("C53300").contains("too many connections from 127.0.0.1");
            }
            try (Socket other = new Socket()) {
                other.bind(new InetSocketAddress("127.0.0.5", 0));
                other.connect(new InetSocketAddress("127.0.0.1", proxy.primaryPort()));
                other.setSoTimeout(15000);
                other.getOutputStream().write(STARTUP);
                assertThat(roundTrip(other, "c")).as("another source address still gets in").isEqualTo("m1:c");
            }
        }
        assertThat(proxy.metrics().overCap()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            try (Socket again = connect()) {
                assertThat(roundTrip(again, "d")).as("slots are freed when clients leave").isEqualTo("m1:d");
            }
        });
    }

    private static MemberStatus replica(String name, EchoServer e, String region, long lag, boolean streaming) {
        return new MemberStatus(name, Role.REPLICA, MemberState.RUNNING, null, e.host(), e.port(), null, region, 1, 0, 0, 0, lag, 0,
                false, streaming, "m1", 1, 1, 1, System.currentTimeMillis());
    }

    /** A protocol 3.0 StartupMessage with no parameters: what the proxy reads before choosing a backend. */
    static final byte[] STARTUP = packet(196608, new byte[] {0});

    static byte[] packet(int code, byte[] body) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + body.length);
        b.putInt(8 + body.length).putInt(code).put(body);
        return b.array();
    }

    private Socket connect() throws IOException {
        return pgClient(proxy.primaryPort());
    }

    /** A client that has sent its startup message, as every PostgreSQL client does first. */
    private static Socket pgClient(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(15000);
        s.getOutputStream().write(STARTUP);
        return s;
    }

    private static String roundTrip(Socket s, String message) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((message + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            sb.append((char) c);
        }
        return sb.toString();
    }

    private static String roundTripUnchecked(Socket s, String message) {
        try {
            return roundTrip(s, message);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a startup packet, then answers each line with "name:line". */
    static final class EchoServer implements AutoCloseable {
        private final ServerSocket server;
        private final String name;
        private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger startupPackets = new java.util.concurrent.atomic.AtomicInteger();

        int accepted() {
            return accepted.get();
        }

        int startupPackets() {
            return startupPackets.get();
        }

        EchoServer(String host, String name) throws IOException {
            this.name = name;
            this.server = new ServerSocket();
            server.bind(new InetSocketAddress(host, 0));
            Thread.ofVirtual().start(this::acceptLoop);
        }

        String host() {
            return server.getInetAddress().getHostAddress();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                if (java.util.Arrays.equals(in.readNBytes(STARTUP.length), STARTUP)) {
                    startupPackets.incrementAndGet();
                }
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = in.read()) >= 0) {
                    if (c == '\n') {
                        out.write((name + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        line.setLength(0);
                    } else {
                        line.append((char) c);
                    }
                }
            } catch (IOException ignored) {
                // client gone
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
