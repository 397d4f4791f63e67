package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.StoreException;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.coord.ZkTls;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.MemberCertificate;
import dev.pgfly.core.util.Secrets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real quorum peers with TLS on the quorum and on the client port, in one JVM, each on its own loopback
 * address as if on its own host. ZooKeeper's TLS settings are process-wide, so the three peers share one
 * certificate that names all their addresses (in pgfly each host has its own). The ensemble grows from one
 * voter to three and keeps taking writes when a voter is closed; plain text, a client without a certificate
 * of the installation's CA, and a client without pgfly's credentials all get nothing.
 */
class EnsembleTlsTest {
    private static final StoreCredentials CREDENTIALS = TestStoreIdentity.CREDENTIALS;
    private static final Duration SESSION = Duration.ofSeconds(5);
    private static final List<String> HOSTS = List.of("127.0.0.31", "127.0.0.32", "127.0.0.33");

    @TempDir
    Path dir;
    private final Map<Integer, EnsemblePeer> peers = new HashMap<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private ClusterCa ca;
    private ZkTls tls;

    @AfterEach
    void stop() {
        for (AutoCloseable client : clients.reversed()) {
            try {
                client.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        peers.values().forEach(EnsemblePeer::close);
    }

    @Test
    void threeTlsPeersGrowKeepWritingWithoutOneVoterAndTalkNoPlainText() throws Exception {
        ca = ClusterCa.generate("installation test");
        List<String> names = new ArrayList<>(HOSTS);
        names.add("127.0.0.1");  // peers of one host dial each other from 127.0.0.1
        tls = tlsFiles(dir.resolve("tls"), ca, names);

        PeerAddress first = address(1, PeerRole.VOTER);
        start(first, List.of(first));
        CuratorFramework pgfly = client(first.clientAddress(), tls);
        pgfly.create().creatingParentsIfNeeded().forPath("/pgfly/before", "written alone".getBytes(StandardCharsets.UTF_8));
        EnsembleMembership membership = new EnsembleMembership(pgfly);
        for (int id = 2; id <= 3; id++) {
            List<PeerAddress> current = membership.current();
            PeerAddress joining = address(id, PeerRole.VOTER);
            List<PeerAddress> initial = new ArrayList<>(current);
            initial.add(joining);
            start(joining, initial);
            // as a joining node does it: its own connection to the others, over TLS
            try (EnsembleMembership others = new EnsembleMembership(EnsembleMembership.connectString(current), CREDENTIALS, tls)) {
                others.add(joining);
            }
        }
        List<PeerAddress> three = membership.current();
        assertThat(three).extracting(PeerAddress::id).containsExactly(1, 2, 3);
        assertThat(three).allMatch(PeerAddress::isVoter);
        assertThat(Files.readString(dir.resolve("peer-2").resolve(PeerFiles.STATIC_CONFIG))).contains("sslQuorum=true");

        for (PeerAddress peer : three) {
            assertThat(new String(client(peer.clientAddress(), tls).getData().forPath("/pgfly/before"), StandardCharsets.UTF_8))
                    .as("read through peer %d over TLS", peer.id()).isEqualTo("written alone");
            assertNoPlainTextOn(peer.host(), peer.clientPort(), "client port of peer " + peer.id());
            assertNoPlainTextOn(peer.host(), peer.electionPort(), "election port of peer " + peer.id());
            assertThat(serverCertificate(peer.host(), peer.clientPort()).getIssuerX500Principal())
                    .as("peer %d's client port presents the installation's certificate", peer.id())
                    .isEqualTo(ca.certificate().getSubjectX500Principal());
            assertThat(serverCertificate(peer.host(), peer.electionPort()).getIssuerX500Principal())
                    .as("peer %d's election port speaks TLS", peer.id())
                    .isEqualTo(ca.certificate().getSubjectX500Principal());
        }
        PeerAddress leader = three.stream().filter(p -> peers.get(p.id()).state() == PeerState.LEADING).findFirst().orElseThrow();
        assertNoPlainTextOn(leader.host(), leader.quorumPort(), "the leader's quorum port");
        assertThat(serverCertificate(leader.host(), leader.quorumPort()).getIssuerX500Principal())
                .as("the leader's quorum port speaks TLS").isEqualTo(ca.certificate().getSubjectX500Principal());

        // a plain-text ZooKeeper client never gets a session
        assertThat(plainClientConnects(first.clientAddress())).as("a plain-text client connects").isFalse();
        // nor a TLS client whose certificate (and trust) come from another CA
        ZkTls stranger = tlsFiles(dir.resolve("stranger"), ClusterCa.generate("another installation"), names);
        assertThatThrownBy(() -> ZkConnections.startAndWait(new DcsAddress(first.clientAddress(), "/pgfly"), SESSION, null,
                CREDENTIALS, stranger, Duration.ofSeconds(5))).isInstanceOf(StoreException.class);
        // a certificate of the installation without pgfly's credentials reads nothing: the ACLs still hold
        CuratorFramework anonymous = client(first.clientAddress(), tls, null);
        assertThatThrownBy(() -> anonymous.getData().forPath("/pgfly/before"))
                .isInstanceOf(KeeperException.NoAuthException.class);

        // a client with every voter's address keeps writing while one voter is closed
        CuratorFramework writer = client(EnsembleMembership.connectString(three), tls);
        writer.create().forPath("/pgfly/counter", bytes(0));
        AtomicLong written = new AtomicLong();
        Thread writing = Thread.ofPlatform().name("writer").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    writer.setData().forPath("/pgfly/counter", bytes(written.get() + 1));
                    written.incrementAndGet();
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the writer retries until the ensemble answers again
                }
            }
        });
        try {
            await(Duration.ofSeconds(30), () -> written.get() >= 20, "first writes");
            long t = System.nanoTime();
            peers.remove(leader.id()).close();
            long before = written.get();
            await(Duration.ofSeconds(30), () -> written.get() >= before + 50, "writes after closing the leader");
            System.out.printf("ensemble-tls: leader %d closed, 50 more writes within %d ms%n", leader.id(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
        } finally {
            writing.interrupt();
            writing.join(10_000);
        }
        PeerAddress survivor = three.stream().filter(p -> p.id() != leader.id()).findFirst().orElseThrow();
        CuratorFramework through = client(survivor.clientAddress(), tls);
        through.sync().forPath("/pgfly/counter");
        assertThat(Long.parseLong(new String(through.getData().forPath("/pgfly/counter"), StandardCharsets.UTF_8)))
                .isGreaterThanOrEqualTo(written.get() - 1);
    }

    /** The CA's certificate and one key + certificate for {@code names}, as InstallationTls writes them. */
    private static ZkTls tlsFiles(Path dir, ClusterCa ca, List<String> names) throws IOException {
        Files.createDirectories(dir);
        MemberCertificate c = ca.issue("pgfly test peers", names);
        Secrets.writePrivate(dir.resolve(ZkTls.CA_FILE), ca.certificatePem());
        Secrets.writePrivate(dir.resolve(ZkTls.KEY_AND_CERTIFICATE_FILE), c.certificatePem() + c.keyPem());
        return ZkTls.in(dir);
    }

    /** Sends ZooKeeper's plain-text "ruok" and expects no "imok": the port closes or answers TLS records. */
    private static void assertNoPlainTextOn(String host, int port, String what) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            socket.setSoTimeout(3000);
            socket.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] reply = readSome(socket.getInputStream());
            assertThat(new String(reply, StandardCharsets.US_ASCII)).as(what + " answered plain text").doesNotContain("imok");
        }
    }

    private static byte[] readSome(InputStream in) {
        byte[] buffer = new byte[64];
        try {
            int n = in.read(buffer);
            return n < 0 ? new byte[0] : java.util.Arrays.copyOf(buffer, n);
        } catch (IOException e) {
            return new byte[0];  // reset or timed out: nothing in plain text
        }
    }

    /** The certificate a TLS server presents on {@code host:port} (the handshake may then fail: no client certificate). */
    private static X509Certificate serverCertificate(String host, int port) throws Exception {
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        TrustManager recorder = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen.set(chain[0]);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{recorder}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            socket.setSoTimeout(3000);
            try {
                socket.startHandshake();
                socket.getInputStream().read();
            } catch (IOException e) {
                // the server wants a client certificate: the one it showed is what counts here
            }
        }
        assertThat(seen.get()).as("%s:%d presented a certificate", host, port).isNotNull();
        return seen.get();
    }

    private boolean plainClientConnects(String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZKClientConfig plain = new ZKClientConfig();
        plain.setProperty(ZKClientConfig.SECURE_CLIENT, "false");
        ZooKeeper client = new ZooKeeper(connectString, (int) SESSION.toMillis(), e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, plain);
        clients.add(client::close);
        return connected.await(5, TimeUnit.SECONDS);
    }

    private CuratorFramework client(String connectString, ZkTls with) {
        return client(connectString, with, CREDENTIALS);
    }

    private CuratorFramework client(String connectString, ZkTls with, StoreCredentials credentials) {
        CuratorFramework client = ZkConnections.startAndWait(new DcsAddress(connectString, "/pgfly"), SESSION, null,
                credentials, with, Duration.ofSeconds(20));
        clients.add(client::close);
        return client;
    }

    private void start(PeerAddress self, List<PeerAddress> initial) throws IOException {
        peers.put(self.id(), EnsemblePeer.start(dir.resolve("peer-" + self.id()), self, initial, CREDENTIALS, tls));
    }

    private static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static PeerAddress address(int id, PeerRole role) throws IOException {
        return FreePeerPorts.on(HOSTS.get(id - 1), id, role);
    }

    private static byte[] bytes(long value) {
        return FreePeerPorts.bytes(value);
    }
}
