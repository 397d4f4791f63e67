package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkConnections;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real quorum peers in one JVM, each on its own loopback address as if on its own host: one peer alone,
 * grown to three voters by reconfiguration, a voter lost and restarted (a follower, then the leader)
 * while a client writes, and a fourth node that observes. Times are printed, not asserted.
 */
class EnsembleGrowthTest {
    /** One identity per process: the peers' super user (see SuperIdentity). */
    private static final StoreCredentials CREDENTIALS = TestStoreIdentity.CREDENTIALS;
    private static final Duration SESSION = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private final Map<Integer, EnsemblePeer> peers = new HashMap<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

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
    void oneNodeGrowsToThreeVotersSurvivesLosingOneAndTakesAnObserver() throws Exception {
        // (1) the first node: a peer alone, a one-voter ensemble that a client can write to
        long t0 = System.nanoTime();
        PeerAddress first = address(1, PeerRole.VOTER);
        start(first, List.of(first));
        CuratorFramework pgfly = pgflyClient(first.clientAddress());
        pgfly.create().creatingParentsIfNeeded().forPath("/pgfly/before", "written alone".getBytes(StandardCharsets.UTF_8));
        report("first peer started and written to", t0);
        EnsembleMembership membership = new EnsembleMembership(pgfly);
        assertThat(membership.current()).containsExactly(first);

        // (2) the second and third nodes join as voters
        for (int id = 2; id <= 3; id++) {
            long t = System.nanoTime();
            List<PeerAddress> current = membership.current();
            PeerAddress joining = address(id, EnsemblePlan.roleForNewNode(current, EnsemblePlan.DEFAULT_VOTERS));
            assertThat(joining.role()).isEqualTo(PeerRole.VOTER);
            List<PeerAddress> initial = new ArrayList<>(current);
            initial.add(joining);
            start(joining, initial);
            membership.add(joining);
            report("peer " + id + " started and added as a voter", t);
        }
        List<PeerAddress> three = membership.current();
        assertThat(three).extracting(PeerAddress::id).containsExactly(1, 2, 3);
        assertThat(three).allMatch(PeerAddress::isVoter);
        membership.add(three.get(1));  // already there: changes nothing
        assertThat(membership.current()).isEqualTo(three);
        for (PeerAddress peer : three) {
            CuratorFramework through = pgflyClient(peer.clientAddress());
            assertThat(new String(through.getData().forPath("/pgfly/before"), StandardCharsets.UTF_8))
                    .as("read through peer %d", peer.id()).isEqualTo("written alone");
            assertAnonymousIsShutOut(peer);
        }
        awaitState(1, PeerState.LEADING);

        // (3) a client with every voter's address keeps writing while one voter goes away
        String allThree = EnsembleMembership.connectString(three);
        CuratorFramework writerClient = pgflyClient(allThree);
        writerClient.create().forPath("/pgfly/counter", bytes(0));
        try (Writer writer = new Writer(writerClient)) {
            writer.awaitWrites(20);
            int follower = followerId();
            long pause = loseAndRestore(writer, follower, "follower");
            int leader = leaderId();
            long leaderPause = loseAndRestore(writer, leader, "leader");
            System.out.printf("ensemble: writes paused %d ms losing a follower, %d ms losing the leader (%d writes, %d failed attempts)%n",
                    pause, leaderPause, writer.successes.get(), writer.failures.get());
        }

        // (5) a fourth node observes
        long t = System.nanoTime();
        List<PeerAddress> current = membership.current();
        PeerRole role = EnsemblePlan.roleForNewNode(current, EnsemblePlan.DEFAULT_VOTERS);
        assertThat(role).isEqualTo(PeerRole.OBSERVER);
        PeerAddress fourth = address(4, role);
        List<PeerAddress> initial = new ArrayList<>(current);
        initial.add(fourth);
        start(fourth, initial);
        membership.add(fourth);
        awaitState(4, PeerState.OBSERVING);
        report("peer 4 started and added as an observer", t);
        assertThat(membership.current()).extracting(PeerAddress::id, PeerAddress::role).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, PeerRole.VOTER), org.assertj.core.groups.Tuple.tuple(2, PeerRole.VOTER),
                org.assertj.core.groups.Tuple.tuple(3, PeerRole.VOTER), org.assertj.core.groups.Tuple.tuple(4, PeerRole.OBSERVER));
        CuratorFramework throughObserver = pgflyClient(fourth.clientAddress());
        assertThat(new String(throughObserver.getData().forPath("/pgfly/before"), StandardCharsets.UTF_8)).isEqualTo("written alone");
        throughObserver.setData().forPath("/pgfly/before", "written through the observer".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(pgfly.getData().forPath("/pgfly/before"), StandardCharsets.UTF_8)).isEqualTo("written through the observer");
        assertAnonymousIsShutOut(fourth);

        // a node leaves: the observer is removed, once; the voters' files name the latest membership
        membership.remove(4);
        membership.remove(4);
        assertThat(membership.current()).extracting(PeerAddress::id).containsExactly(1, 2, 3);
        for (int id = 1; id <= 3; id++) {
            Path dynamic = dynamicConfigFile(id);
            assertThat(dynamic.getFileName().toString()).as("peer %d's membership file", id)
                    .isNotEqualTo(PeerFiles.INITIAL_DYNAMIC_CONFIG);
            assertThat(EnsembleConfig.parse(Files.readString(dynamic)).peers()).isEqualTo(membership.current());
        }
        report("whole scenario", t0);
    }

    /** Closes peer {@code id}, measures the longest pause in acknowledged writes, restarts it from its directory. */
    private long loseAndRestore(Writer writer, int id, String what) throws Exception {
        EnsemblePeer lost = peers.remove(id);
        long before = writer.successes.get();
        writer.resetLongestGap();
        lost.close();
        writer.awaitWrites(before + 50);
        long pause = writer.longestGapMillis();
        System.out.printf("ensemble: %s %d closed, writes paused at most %d ms%n", what, id, pause);

        // (4) the peer comes back from its data directory alone: the membership it knew is on disk
        long t = System.nanoTime();
        long written = writer.successes.get();
        start(lost.self(), List.of());
        awaitState(id, PeerState.FOLLOWING);
        CuratorFramework through = pgflyClient(lost.self().clientAddress());
        through.sync().forPath("/pgfly/counter");
        assertThat(Long.parseLong(new String(through.getData().forPath("/pgfly/counter"), StandardCharsets.UTF_8)))
                .as("writes made while peer %d was down reach it", id).isGreaterThanOrEqualTo(written);
        report(what + " " + id + " restarted and following again", t);
        return pause;
    }

    /** The dynamic configuration file peer {@code id}'s zoo.cfg points at (ZooKeeper rewrites that line). */
    private Path dynamicConfigFile(int id) throws IOException {
        Path staticConfig = dir.resolve("peer-" + id).resolve(PeerFiles.STATIC_CONFIG);
        String line = Files.readAllLines(staticConfig).stream().filter(l -> l.startsWith("dynamicConfigFile="))
                .findFirst().orElseThrow();
        return Path.of(line.substring("dynamicConfigFile=".length()));
    }

    private static final class Writer implements AutoCloseable {
        final AtomicLong successes = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        private final AtomicLong lastSuccess = new AtomicLong(System.nanoTime());
        private final AtomicLong longestGap = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Writer(CuratorFramework client) {
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        client.setData().forPath("/pgfly/counter", bytes(successes.get() + 1));
                        long now = System.nanoTime();
                        long gap = now - lastSuccess.getAndSet(now);
                        longestGap.accumulateAndGet(gap, Math::max);
                        successes.incrementAndGet();
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            }, "writer");
            thread.start();
        }

        void resetLongestGap() {
            longestGap.set(0);
        }

        long longestGapMillis() {
            return TimeUnit.NANOSECONDS.toMillis(longestGap.get());
        }

        void awaitWrites(long count) throws InterruptedException {
            await(Duration.ofSeconds(30), () -> successes.get() >= count, "writes to reach " + count);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    private void assertAnonymousIsShutOut(PeerAddress peer) throws Exception {
        ZooKeeper anonymous = anonymousClient(peer.clientAddress());
        assertThatThrownBy(() -> anonymous.getData("/pgfly/before", false, new Stat()))
                .as("an unauthenticated client reads nothing through peer %d", peer.id())
                .isInstanceOf(KeeperException.NoAuthException.class);
        ZooKeeperAdmin admin = new ZooKeeperAdmin(peer.clientAddress(), (int) SESSION.toMillis(), e -> { });
        clients.add(admin::close);
        // ZooKeeper checks the ACL last, after it made sure the new membership would have a quorum in sync
        assertThat(anonymousRemoval(admin, peer.id()))
                .as("nor may it change the membership").isInstanceOf(KeeperException.NoAuthException.class);
    }

    private static Exception anonymousRemoval(ZooKeeperAdmin admin, int id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                admin.reconfigure(null, List.of(Integer.toString(id)), null, -1, new Stat());
                throw new AssertionError("an unauthenticated client removed peer " + id);
            } catch (KeeperException.NewConfigNoQuorum | KeeperException.ReconfigInProgress e) {
                if (System.nanoTime() > deadline) {
                    return e;
                }
                Thread.sleep(100);
            } catch (KeeperException e) {
                return e;
            }
        }
    }

    private ZooKeeper anonymousClient(String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper client = new ZooKeeper(connectString, (int) SESSION.toMillis(), e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        clients.add(client::close);
        assertThat(connected.await(15, TimeUnit.SECONDS)).isTrue();
        return client;
    }

    private CuratorFramework pgflyClient(String connectString) {
        CuratorFramework client = ZkConnections.startAndWait(new DcsAddress(connectString, "/pgfly"), SESSION, null,
                CREDENTIALS, Duration.ofSeconds(20));
        clients.add(client::close);
        return client;
    }

    private void start(PeerAddress self, List<PeerAddress> initial) throws IOException {
        peers.put(self.id(), EnsemblePeer.start(dir.resolve("peer-" + self.id()), self, initial, CREDENTIALS));
    }

    private int followerId() {
        return peers.values().stream().filter(p -> p.state() == PeerState.FOLLOWING).findFirst().orElseThrow().id();
    }

    private int leaderId() {
        return peers.values().stream().filter(p -> p.state() == PeerState.LEADING).findFirst().orElseThrow().id();
    }

    private void awaitState(int id, PeerState state) throws InterruptedException {
        await(Duration.ofSeconds(30), () -> peers.get(id).state() == state, "peer " + id + " " + state);
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

    /** Peer {@code id} on 127.0.0.2{id}, as if on its own host, with ports free there now. */
    private static PeerAddress address(int id, PeerRole role) throws IOException {
        return FreePeerPorts.on("127.0.0." + (20 + id), id, role);
    }

    private static byte[] bytes(long value) {
        return FreePeerPorts.bytes(value);
    }

    private static void report(String what, long startNanos) {
        System.out.printf("ensemble: %s in %d ms%n", what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }
}
