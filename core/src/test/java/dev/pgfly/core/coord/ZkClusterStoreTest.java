package dev.pgfly.core.coord;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.model.ScheduledOperation;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.core.model.SyncState;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link ZkClusterStore} against a real ZooKeeper server (curator-test's {@link TestingServer}).
 *
 * <p>Most tests share one server (starting one per test costs seconds on a loaded machine) and stay
 * apart by using a cluster name of their own; the tests that stop and restart the server get a
 * server of their own ({@link ConnectionState}). The servers use a short tick (500 ms) so that the
 * 3 s session timeout asked for is granted as is (ZooKeeper enforces at least two ticks).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZkClusterStoreTest {
    private static final Duration SESSION = Duration.ofSeconds(3);
    private static final Duration CONNECT = Duration.ofSeconds(15);
    private static final String ROOT = "/pgfly";
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    private static TestingServer shared;

    /** Every client a test opened, closed after it. */
    private final List<ZkClusterStore> stores = new CopyOnWriteArrayList<>();
    private final List<CuratorFramework> clients = new CopyOnWriteArrayList<>();
    private String cluster;

    @BeforeAll
    static void startSharedServer() throws Exception {
        shared = newServer();
    }

    @AfterAll
    static void stopSharedServer() throws Exception {
        if (shared != null) {
            shared.close();
        }
    }

    @BeforeEach
    void freshCluster() {
        cluster = "c" + CLUSTERS.incrementAndGet();
    }

    @AfterEach
    void closeClients() {
        stores.forEach(ZkClusterStore::close);
        clients.forEach(CuratorFramework::close);
        stores.clear();
        clients.clear();
    }

    private static TestingServer newServer() throws Exception {
        // data directory: a temporary one, deleted on close; ports: random; tick: 500 ms
        return new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1), true);
    }

    private ZkClusterStore connect(TestingServer server, String clusterName) {
        DcsAddress address = DcsAddress.parse("zk://" + server.getConnectString() + ROOT);
        CuratorFramework client = ZkConnections.startAndWait(address, SESSION, null, CONNECT);
        clients.add(client);
        ZkClusterStore store = new ZkClusterStore(client, address.root(), clusterName, true);
        stores.add(store);
        return store;
    }

    private ZkClusterStore connect() {
        return connect(shared, cluster);
    }

    private ClusterSpec spec() {
        return new ClusterSpec(cluster, "ha", "fra", true, 1024, "127.0.0.1", 5432, 5433, 17,
                List.of(new MemberSpec("m1", "127.0.1.1", 5432, 8008, "fra", 100, false),
                        new MemberSpec("m2", "127.0.1.2", 5432, 8008, "fra", 50, true)),
                Map.of("work_mem", "8MB", "max_connections", "200"));
    }

    private static MemberStatus status(String name, Role role, long lsn) {
        return new MemberStatus(name, role, MemberState.RUNNING, role == Role.PRIMARY ? null : "streaming", "127.0.1." + name.substring(1),
                5432, "http://127.0.1.1:8008", "fra", 3, lsn, lsn + 10, lsn + 5, 0, 0.0, role == Role.REPLICA,
                role == Role.REPLICA, role == Role.REPLICA ? "m1" : null, 7, 1234, 5678, 1_700_000_000_000L);
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void anEmptyClusterReadsAsEmpty() {
        ZkClusterStore a = connect();
        assertThat(a.cluster()).isEqualTo(cluster);
        assertThat(a.config()).isEmpty();
        assertThat(a.leader()).isEmpty();
        assertThat(a.currentTerm()).isZero();
        assertThat(a.lastLeader()).isEmpty();
        assertThat(a.holdsLeadership("m1")).isFalse();
        assertThat(a.initialized()).isFalse();
        assertThat(a.members()).isEmpty();
        assertThat(a.syncState()).isEmpty();
        assertThat(a.switchover()).isEmpty();
        assertThat(a.events(10)).isEmpty();
        assertThat(a.isConnected()).isTrue();
    }

    @Test
    void theConfigurationRoundTripsBetweenClients() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        ClusterSpec spec = spec();
        a.putConfig(spec);
        assertThat(b.config()).contains(spec);
        assertThat(b.config().orElseThrow().members()).extracting(MemberSpec::name).containsExactly("m1", "m2");
        assertThat(b.config().orElseThrow().member("m2").orElseThrow().noFailover()).isTrue();
        assertThat(b.currentTerm()).as("putConfig creates the term").isZero();

        ClusterSpec changed = spec.withSynchronous(false).withoutMember("m2").withSettings(Map.of("work_mem", "16MB"));
        b.putConfig(changed);
        assertThat(a.config()).contains(changed);
    }

    @Test
    void clustersUnderTheSameRootAreIndependent() {
        ZkClusterStore a = connect();
        ZkClusterStore other = connect(shared, cluster + "-other");
        a.putConfig(spec());
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        assertThat(other.config()).isEmpty();
        assertThat(other.leader()).isEmpty();
        assertThat(other.tryAcquireLeadership("m1", "127.0.1.1", 5432)).hasValue(1);
        assertThat(a.currentTerm()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ leadership

    @Test
    void exactlyOneOfTwoClientsAcquiresLeadershipAndTheTermGrows() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        a.putConfig(spec());

        OptionalLong first = a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        OptionalLong second = b.tryAcquireLeadership("m2", "127.0.1.2", 5433);
        assertThat(first).hasValue(1);
        assertThat(second).isEmpty();
        assertThat(b.currentTerm()).isEqualTo(1);
        assertThat(b.lastLeader()).contains("m1");
        LeaderRecord record = b.leader().orElseThrow();
        assertThat(record.member()).isEqualTo("m1");
        assertThat(record.term()).isEqualTo(1);
        assertThat(record.host()).isEqualTo("127.0.1.1");
        assertThat(record.pgPort()).isEqualTo(5432);
        assertThat(record.ready()).isFalse();
        assertThat(record.since()).isPositive();

        assertThat(a.tryAcquireLeadership("m1", "127.0.1.1", 5432)).as("not twice, even by the owner").isEmpty();

        a.releaseLeadership("m1");
        assertThat(b.leader()).isEmpty();
        assertThat(b.lastLeader()).as("last_leader outlives the leader node").contains("m1");
        assertThat(b.tryAcquireLeadership("m2", "127.0.1.2", 5433)).hasValue(2);
        assertThat(a.currentTerm()).isEqualTo(2);
        assertThat(a.lastLeader()).contains("m2");
        assertThat(a.leader().orElseThrow()).extracting(LeaderRecord::member, LeaderRecord::term, LeaderRecord::pgPort)
                .containsExactly("m2", 2L, 5433);
    }

    @Test
    void leadershipCanBeAcquiredWithoutAConfiguration() {
        ZkClusterStore a = connect();
        assertThat(a.tryAcquireLeadership("m1", "127.0.1.1", 5432)).hasValue(1);
        assertThat(a.currentTerm()).isEqualTo(1);
    }

    @Test
    void concurrentAcquisitionsHaveExactlyOneWinner() throws Exception {
        List<ZkClusterStore> contenders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            contenders.add(connect());
        }
        contenders.getFirst().putConfig(spec());
        ExecutorService pool = Executors.newFixedThreadPool(contenders.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<OptionalLong>> results = new ArrayList<>();
            for (int i = 0; i < contenders.size(); i++) {
                ZkClusterStore s = contenders.get(i);
                String member = "m" + (i + 1);
                Callable<OptionalLong> attempt = () -> {
                    go.await();
                    return s.tryAcquireLeadership(member, "127.0.1." + member.substring(1), 5432);
                };
                results.add(pool.submit(attempt));
            }
            go.countDown();
            List<Long> terms = new ArrayList<>();
            int winner = -1;
            for (int i = 0; i < results.size(); i++) {
                OptionalLong r = results.get(i).get(30, TimeUnit.SECONDS);
                if (r.isPresent()) {
                    terms.add(r.getAsLong());
                    winner = i;
                }
            }
            assertThat(terms).containsExactly(1L);
            String winnerName = "m" + (winner + 1);
            assertThat(contenders.get(0).leader().orElseThrow().member()).isEqualTo(winnerName);
            assertThat(contenders.get(0).lastLeader()).contains(winnerName);
            for (int i = 0; i < contenders.size(); i++) {
                assertThat(contenders.get(i).holdsLeadership(winnerName)).isEqualTo(i == winner);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onlyTheOwnersSessionHoldsLeadership() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        assertThat(a.holdsLeadership("m1")).isTrue();
        assertThat(a.holdsLeadership("m2")).as("the node names another member").isFalse();
        assertThat(b.holdsLeadership("m1")).as("another session, same member name").isFalse();
        assertThat(b.holdsLeadership("m2")).isFalse();
        a.releaseLeadership("m1");
        assertThat(a.holdsLeadership("m1")).isFalse();
    }

    @Test
    void onlyTheOwnerUpdatesOrReleasesTheLeaderNode() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        LeaderRecord record = b.leader().orElseThrow();
        assertThat(record.ready()).isFalse();

        assertThatThrownBy(() -> b.updateLeader(record.asReady()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("leadership lost");
        assertThat(a.leader().orElseThrow().ready()).as("the failed update changed nothing").isFalse();

        a.updateLeader(record.asReady());
        assertThat(b.leader().orElseThrow().ready()).isTrue();
        assertThat(b.leader().orElseThrow().term()).isEqualTo(1);

        b.releaseLeadership("m1");
        assertThat(a.leader()).as("a non-owner cannot release it").isPresent();
        a.releaseLeadership("m1");
        assertThat(b.leader()).isEmpty();
        assertThatCode(() -> a.releaseLeadership("m1")).as("releasing twice is harmless").doesNotThrowAnyException();
    }

    @Test
    void updatingAfterTheLeaderNodeIsGoneThrows() {
        ZkClusterStore a = connect();
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        LeaderRecord record = a.leader().orElseThrow();
        a.releaseLeadership("m1");
        assertThatThrownBy(() -> a.updateLeader(record.asReady())).isInstanceOf(StoreException.class);
        assertThat(a.leader()).as("the update did not recreate the node").isEmpty();
    }

    @Test
    void theLeaderNodeGoesWithItsOwnersSession() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        a.putConfig(spec());
        assertThat(a.tryAcquireLeadership("m1", "127.0.1.1", 5432)).hasValue(1);
        a.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.leader().isEmpty());
        assertThat(b.currentTerm()).as("the term persists").isEqualTo(1);
        assertThat(b.lastLeader()).contains("m1");
        assertThat(b.tryAcquireLeadership("m2", "127.0.1.2", 5432)).hasValue(2);
        assertThat(b.holdsLeadership("m2")).isTrue();
    }

    @Test
    void aStaleLeaderNodeOfTheSameMemberIsRemovedButNoOtherMembers() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        b.removeStaleLeader("m2");
        assertThat(b.leader()).as("it names another member").isPresent();
        a.removeStaleLeader("m1");
        assertThat(b.leader()).as("our own session's node is not stale").isPresent();
        b.removeStaleLeader("m1");
        assertThat(a.leader()).isEmpty();
        assertThat(a.holdsLeadership("m1")).isFalse();
        assertThatCode(() -> b.removeStaleLeader("m1")).as("nothing left to remove").doesNotThrowAnyException();
        assertThat(b.tryAcquireLeadership("m1", "127.0.1.1", 5432)).hasValue(2);
    }

    // ------------------------------------------------------------------ initialization

    @Test
    void initializationIsClaimedOnceOnly() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        assertThat(a.initialized()).isFalse();
        assertThat(a.tryClaimInitialize("m1")).isTrue();
        assertThat(b.tryClaimInitialize("m2")).isFalse();
        assertThat(a.tryClaimInitialize("m1")).as("not even twice by the same member").isFalse();
        assertThat(a.initialized()).isTrue();
        assertThat(b.initialized()).isTrue();
        a.close();
        assertThat(b.initialized()).as("the claim is persistent").isTrue();
        assertThat(b.tryClaimInitialize("m2")).isFalse();
    }

    // ------------------------------------------------------------------ member status

    @Test
    void memberStatusesArePublishedListedByNameAndRemoved() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        MemberStatus m2 = status("m2", Role.REPLICA, 1000);
        MemberStatus m1 = status("m1", Role.PRIMARY, 2000);
        b.publishMember(m2);
        a.publishMember(m1);
        assertThat(b.members()).containsExactly(m1, m2);

        MemberStatus m2Later = status("m2", Role.REPLICA, 1500);
        b.publishMember(m2Later);
        assertThat(a.members()).containsExactly(m1, m2Later);
        assertThat(a.members().get(1).walPosition()).isEqualTo(1510);

        a.removeMemberStatus("m1");
        assertThat(b.members()).containsExactly(m2Later);
        assertThatCode(() -> a.removeMemberStatus("m1")).as("removing twice is harmless").doesNotThrowAnyException();
    }

    @Test
    void aMemberStatusGoesWithItsPublishersSession() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        a.publishMember(status("m1", Role.PRIMARY, 2000));
        b.publishMember(status("m2", Role.REPLICA, 1000));
        a.close();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(b.members()).extracting(MemberStatus::name).containsExactly("m2"));
    }

    // ------------------------------------------------------------------ events

    @Test
    void eventsAreReturnedOldestFirstAndLimitedToTheLastN() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        for (int i = 0; i < 5; i++) {
            a.recordEvent(new Event(1000 + i, "kind" + i, "m" + (i % 2 + 1), i, "reason " + i));
        }
        assertThat(b.events(3)).extracting(Event::kind).containsExactly("kind2", "kind3", "kind4");
        assertThat(b.events(10)).extracting(Event::kind).containsExactly("kind0", "kind1", "kind2", "kind3", "kind4");
        assertThat(b.events(5).getFirst()).isEqualTo(new Event(1000, "kind0", "m1", 0, "reason 0"));
        assertThat(b.events(1)).containsExactly(new Event(1004, "kind4", "m1", 4, "reason 4"));
        assertThat(b.events(0)).isEmpty();
    }

    @Test
    void eventsFromSeveralClientsKeepTheirRecordingOrder() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        a.recordEvent(new Event(3, "late-clock", "m1", 1, "a"));
        b.recordEvent(new Event(1, "early-clock", "m2", 1, "b"));
        a.recordEvent(new Event(2, "third", "m1", 1, "c"));
        assertThat(a.events(10)).extracting(Event::kind).as("store order, not the event's time")
                .containsExactly("late-clock", "early-clock", "third");
    }

    // ------------------------------------------------------------------ scheduled operations

    @Test
    void aScheduledOperationIsTakenByExactlyOneOfManyNodes() throws Exception {
        ScheduledOperation op = new ScheduledOperation(ScheduledOperation.Kind.SWITCHOVER, 1_700_000_000_000L, "m2",
                null, false, "n1", 1_699_999_000_000L);
        connect().putScheduled(op);
        List<ZkClusterStore> nodes = List.of(connect(), connect(), connect(), connect());
        assertThat(nodes.get(3).scheduled(ScheduledOperation.Kind.SWITCHOVER)).contains(op);
        assertThat(nodes.get(3).scheduled(ScheduledOperation.Kind.RESTART)).isEmpty();

        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> takes = new ArrayList<>();
            for (ZkClusterStore n : nodes) {
                takes.add(pool.submit(() -> {
                    go.await();
                    return n.takeScheduled(op);
                }));
            }
            go.countDown();
            int taken = 0;
            for (Future<Boolean> f : takes) {
                taken += f.get() ? 1 : 0;
            }
            assertThat(taken).as("nodes that took the one scheduled switchover").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(nodes.get(0).scheduled(ScheduledOperation.Kind.SWITCHOVER)).isEmpty();
    }

    @Test
    void aReplacedOrCancelledScheduledOperationIsNotTaken() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        ScheduledOperation first = new ScheduledOperation(ScheduledOperation.Kind.RESTART, 1_700_000_000_000L, null,
                null, true, "n1", 1L);
        ScheduledOperation second = new ScheduledOperation(ScheduledOperation.Kind.RESTART, 1_700_000_600_000L, null,
                "m2", false, "n2", 2L);
        a.putScheduled(first);
        b.putScheduled(second);
        assertThat(a.takeScheduled(first)).as("the operation was replaced since it was read").isFalse();
        assertThat(a.scheduled(ScheduledOperation.Kind.RESTART)).contains(second);
        assertThat(b.cancelScheduled(ScheduledOperation.Kind.RESTART)).isTrue();
        assertThat(b.cancelScheduled(ScheduledOperation.Kind.RESTART)).as("nothing left to cancel").isFalse();
        assertThat(a.takeScheduled(second)).as("cancelled").isFalse();
    }

    // ------------------------------------------------------------------ switchover and synchronous set

    @Test
    void aSwitchoverRequestIsStoredAndCleared() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        SwitchoverRequest request = new SwitchoverRequest("m1", "m2", 1_700_000_000_000L);
        a.requestSwitchover(request);
        assertThat(b.switchover()).contains(request);

        SwitchoverRequest toAnyone = new SwitchoverRequest("m1", null, 1_700_000_000_001L);
        b.requestSwitchover(toAnyone);
        assertThat(a.switchover()).contains(toAnyone);
        assertThat(a.switchover().orElseThrow().to()).isNull();

        a.clearSwitchover();
        assertThat(b.switchover()).isEmpty();
        assertThatCode(b::clearSwitchover).as("clearing twice is harmless").doesNotThrowAnyException();
    }

    @Test
    void theSynchronousSetRoundTrips() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        SyncState state = new SyncState("m1", 3, Set.of("m3", "m2"));
        a.putSyncState(state);
        assertThat(b.syncState()).contains(state);
        assertThat(b.syncState().orElseThrow().standbys()).containsExactlyInAnyOrder("m2", "m3");

        SyncState narrowed = new SyncState("m1", 3, Set.of("m2"));
        b.putSyncState(narrowed);
        assertThat(a.syncState()).contains(narrowed);

        SyncState empty = new SyncState("m2", 4, Set.of());
        a.putSyncState(empty);
        assertThat(b.syncState().orElseThrow().standbys()).isEmpty();
        assertThat(b.syncState().orElseThrow().term()).isEqualTo(4);
    }

    // ------------------------------------------------------------------ deletion

    @Test
    void deletingAClusterRemovesEverythingOfItAndNothingElse() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        ZkClusterStore other = connect(shared, cluster + "-other");
        other.putConfig(spec());
        a.putConfig(spec());
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        a.tryClaimInitialize("m1");
        a.publishMember(status("m1", Role.PRIMARY, 1));
        a.putSyncState(new SyncState("m1", 1, Set.of("m2")));
        a.recordEvent(new Event(1, "k", "m1", 1, "r"));

        b.deleteCluster();
        assertThat(a.config()).isEmpty();
        assertThat(a.leader()).isEmpty();
        assertThat(a.currentTerm()).isZero();
        assertThat(a.initialized()).isFalse();
        assertThat(a.members()).isEmpty();
        assertThat(a.syncState()).isEmpty();
        assertThat(a.events(10)).isEmpty();
        assertThat(other.config()).isPresent();

        assertThatCode(b::deleteCluster).as("deleting a missing cluster is harmless").doesNotThrowAnyException();
    }

    // ------------------------------------------------------------------ watching

    @Test
    void changeListenersSeeLeaderChanges() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        // the cluster holds exactly three nodes before watching: its base, term and last_leader
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        a.releaseLeadership("m1");

        AtomicInteger changes = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        b.onChange(() -> {
            throw new IllegalStateException("a failing listener must not stop the others");
        });
        b.onChange(changes::incrementAndGet);
        // the cache reports every existing node once when it starts: wait for those three
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 3);
        b.onChange(second::incrementAndGet);

        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > 3 && second.get() > 0);

        int beforeRelease = changes.get();
        a.releaseLeadership("m1");
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > beforeRelease);
    }

    @Test
    void changeListenersSeeMembersConfigAndRequests() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        AtomicInteger changes = new AtomicInteger();
        b.onChange(changes::incrementAndGet);
        // onChange creates the cluster's base node: that is the only node the cache finds
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);

        List<Runnable> writes = List.of(
                () -> a.publishMember(status("m1", Role.PRIMARY, 1)),
                () -> a.putConfig(spec()),
                () -> a.requestSwitchover(new SwitchoverRequest("m1", "m2", 1)),
                a::clearSwitchover,
                () -> a.removeMemberStatus("m1"));
        for (Runnable write : writes) {
            int before = changes.get();
            write.run();
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > before);
        }
    }

    @Test
    void aStatusRepublishedWithNewProgressOnlyWakesNoListener() {
        ZkClusterStore a = connect();
        ZkClusterStore b = connect();
        a.publishMember(status("m1", Role.REPLICA, 100));
        AtomicInteger changes = new AtomicInteger();
        b.onChange(changes::incrementAndGet);
        // the cache reports the existing nodes once when it starts: the base, members, members/m1
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 3);

        MemberStatus later = status("m1", Role.REPLICA, 5_000);
        a.publishMember(new MemberStatus(later.name(), later.role(), later.state(), later.detail(), later.host(), later.pgPort(),
                later.api(), later.region(), later.timeline(), later.lsn(), later.receivedLsn(), later.replayedLsn(),
                4_000, 1.5, later.synchronous(), later.streaming(), later.upstream(), later.term(), later.agentPid(),
                later.postgresPid(), later.updatedAt() + 1_000));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> changes.get() == 3);
        assertThat(b.members()).singleElement().extracting(MemberStatus::lagBytes).isEqualTo(4_000L);

        a.publishMember(status("m1", Role.PRIMARY, 5_000));
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 4);
        assertThat(b.members()).singleElement().extracting(MemberStatus::role).isEqualTo(Role.PRIMARY);
    }

    // ------------------------------------------------------------------ connection state

    /** Each test here stops and restarts a server of its own. */
    @Nested
    class ConnectionState {
        private TestingServer server;

        @BeforeEach
        void startServer() throws Exception {
            server = newServer();
        }

        @AfterEach
        void stopServer() throws Exception {
            closeClients();
            server.close();
        }

        private static final class Recorder implements ConnectionListener {
            final AtomicInteger suspended = new AtomicInteger();
            final AtomicInteger reconnected = new AtomicInteger();
            final AtomicInteger lost = new AtomicInteger();
            final List<String> order = new CopyOnWriteArrayList<>();

            @Override
            public void suspended() {
                suspended.incrementAndGet();
                order.add("suspended");
            }

            @Override
            public void reconnected() {
                reconnected.incrementAndGet();
                order.add("reconnected");
            }

            @Override
            public void lost() {
                lost.incrementAndGet();
                order.add("lost");
            }
        }

        @Test
        void theSessionTimeoutAskedForIsGranted() throws Exception {
            connect(server, cluster);
            assertThat(clients.getFirst().getZookeeperClient().getZooKeeper().getSessionTimeout())
                    .isEqualTo((int) SESSION.toMillis());
        }

        @Test
        void aShortOutageIsReportedAsSuspendedThenReconnectedAndLeadershipSurvives() throws Exception {
            ZkClusterStore a = connect(server, cluster);
            a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
            Recorder events = new Recorder();
            a.onConnectionChange(events);
            assertThat(a.isConnected()).isTrue();

            server.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.suspended.get() > 0);
            assertThat(events.reconnected.get()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> !a.isConnected());

            server.restart();
            await().atMost(Duration.ofSeconds(20)).until(() -> events.reconnected.get() > 0);
            assertThat(events.order.getFirst()).isEqualTo("suspended");
            assertThat(a.isConnected()).isTrue();
            if (events.lost.get() == 0) {
                // back within the session timeout: the same session, so the ephemeral leader node is still ours
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .untilAsserted(() -> assertThat(a.holdsLeadership("m1")).isTrue());
            }
        }

        @Test
        void anOutageLongerThanTheSessionIsReportedLostAndTakesTheEphemeralNodes() throws Exception {
            ZkClusterStore a = connect(server, cluster);
            a.putConfig(spec());
            assertThat(a.tryAcquireLeadership("m1", "127.0.1.1", 5432)).hasValue(1);
            a.publishMember(status("m1", Role.PRIMARY, 1));
            Recorder events = new Recorder();
            a.onConnectionChange(events);

            server.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.suspended.get() > 0);
            // Curator declares the session lost once it has been suspended for the session timeout
            await().atMost(Duration.ofSeconds(15)).until(() -> events.lost.get() > 0);

            server.restart();
            await().atMost(Duration.ofSeconds(20)).until(() -> events.reconnected.get() > 0);
            assertThat(events.order).startsWith("suspended", "lost");

            // a new session: the old one's leader node and status expire on the server
            ZkClusterStore b = connect(server, cluster);
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                assertThat(b.leader()).isEmpty();
                assertThat(b.members()).isEmpty();
            });
            assertThat(a.holdsLeadership("m1")).isFalse();
            assertThat(b.config()).as("persistent nodes stay").isPresent();
            assertThat(a.tryAcquireLeadership("m1", "127.0.1.1", 5432)).hasValue(2);
            assertThat(a.holdsLeadership("m1")).isTrue();
        }
    }
}
