package dev.pgfly.agent.ha;

import dev.pgfly.agent.local.LocalPostgres;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.ZkClusterStore;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.postgres.Command;
import dev.pgfly.postgres.OsUser;
import dev.pgfly.postgres.PgBinaries;
import dev.pgfly.postgres.PgInstance;
import dev.pgfly.postgres.ShutdownMode;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HA loop of one member, whole, against a real ZooKeeper (curator-test) and a real PostgreSQL run
 * as its OS user: what a cycle does is read from the state it publishes and from the processes. The
 * decisions themselves are unit-tested without processes in {@code CycleDecisionTest} and
 * {@code FailoverPolicyTest}; this test checks that the loop carries them out.
 */
class HaLoopTest {
    private static final Duration SESSION = Duration.ofSeconds(3);
    private static final Duration LOOP = Duration.ofMillis(300);
    private static final String CLUSTER = "haloop";

    private TestingServer zk;
    private CuratorFramework client;
    private ClusterStore store;
    private Path memberDir;
    private Path secretsDir;
    private PgInstance pg;
    private LeaseKeeper lease;
    private HaLoop loop;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Path> toRemove = new ArrayList<>();
    /** Added to the timeline the primary published, as m1's loop reads it: the leader moved on without it. */
    private final AtomicInteger leaderTimelineSkew = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1), true);
        DcsAddress address = DcsAddress.parse("zk://" + zk.getConnectString() + "/pgfly");
        client = ZkConnections.startAndWait(address, SESSION, null, Duration.ofSeconds(10));
        store = withLeaderTimelineSkew(new ZkClusterStore(client, address.root(), CLUSTER, true));
        memberDir = Files.createTempDirectory(Path.of("/tmp"), "pgfly-haloop-");
        secretsDir = Files.createTempDirectory(Path.of("/tmp"), "pgfly-haloop-secrets-");
        Secrets.generate().writeTo(secretsDir);
        int port = freePort();
        MemberSpec m1 = new MemberSpec("m1", "127.0.0.1", port, freePort(), "fra", 100, false);
        store.putConfig(new ClusterSpec(CLUSTER, "dev", "fra", false, ClusterSpec.DEFAULT_MAX_LAG_BYTES, "127.0.0.1",
                freePort(), freePort(), 15, List.of(m1), Map.of("shared_buffers", "16MB")));
        pg = new PgInstance(PgBinaries.locate(null), OsUser.forPostgres(), memberDir, "127.0.0.1", port);
        pg.data().prepareDirectories();
        LocalPostgres local = new LocalPostgres(pg, Secrets.readFrom(secretsDir), "m1", secretsDir);
        lease = new LeaseKeeper(store, pg, "m1", Duration.ofSeconds(2));
        loop = new HaLoop("m1", LOOP, store, local, lease);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            loop.close();
            lease.close();
            pg.stop(ShutdownMode.IMMEDIATE, Duration.ofSeconds(30));
            pg.postmaster().awaitOldProcessesGone(Duration.ofSeconds(30));
            for (AutoCloseable c : toClose.reversed()) {
                c.close();
            }
            store.close();
            client.close();
            zk.close();
        } finally {
            List<String> rm = new ArrayList<>(List.of("rm", "-rf", memberDir.toString(), secretsDir.toString()));
            toRemove.forEach(d -> rm.add(d.toString()));
            Command.run(rm, Map.of(), Duration.ofMinutes(1));
        }
    }

    /**
     * A lone member initializes the cluster and leads it; when its coordination session is suspended
     * (the ZooKeeper server gone), it fences at once: PostgreSQL gets an immediate shutdown well before
     * the session could expire (S1), and the state says so.
     */
    @Test
    void aLeaderWhoseStoreGoesAwayFencesAtOnce() throws Exception {
        loop.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> loop.state() == MemberState.RUNNING
                && store.leader().map(l -> l.member().equals("m1") && l.ready()).orElse(false));
        assertThat(loop.status(java.util.Optional.empty()).state()).isEqualTo(MemberState.RUNNING);
        assertThat(pg.postmasterPid()).as("a running primary").isPresent();
        assertThat(lease.isLeading()).isTrue();

        long lostAt = System.nanoTime();
        zk.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.state() == MemberState.FENCED);
        await().atMost(Duration.ofSeconds(30)).until(() -> pg.postmasterPid().isEmpty());
        long fencedAfterMillis = (System.nanoTime() - lostAt) / 1_000_000;
        assertThat(lease.isLeading()).isFalse();
        assertThat(loop.detail()).contains("coordination connection lost");
        System.out.println("HaLoopTest: PostgreSQL down " + fencedAfterMillis + " ms after the store went away");
    }

    /**
     * S4: a data directory that a failed pg_rewind left unusable is marked; the loop never starts it and
     * never offers it in an election, even with nobody leading: it waits for a primary to re-clone from.
     */
    @Test
    void aMarkedDataDirectoryIsNeverStartedNorElected() throws Exception {
        pg.data().initdb(Secrets.readFrom(secretsDir).superuserPassword());
        Files.writeString(pg.memberDir().resolve("reclone-needed"), "pg_rewind failed part-way (test)");
        store.tryClaimInitialize("m1");
        loop.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> loop.state() == MemberState.WAITING_FOR_PRIMARY);
        for (int i = 0; i < 10; i++) {
            Thread.sleep(LOOP.toMillis());
            assertThat(loop.state()).isEqualTo(MemberState.WAITING_FOR_PRIMARY);
            assertThat(pg.postmasterPid()).as("never started").isEmpty();
            assertThat(store.leader()).as("never elected").isEmpty();
        }
        assertThat(loop.detail()).contains("re-clone");
        assertThat(store.members()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("m1");
            assertThat(s.state()).isEqualTo(MemberState.WAITING_FOR_PRIMARY);
            assertThat(s.role()).isEqualTo(Role.UNKNOWN);
        });
    }

    /**
     * A replica on an older timeline than its leader's is never settled: m0 leads and m1, run by the loop
     * under test, clones it and streams (RUNNING); then the leader's published timeline moves one ahead of
     * what m1 streams, as after a failover m1 did not follow. m1 publishes CATCHING_UP within a few cycles and
     * never RUNNING again, and the one healthy-replica rule refuses its published status. (The timeline fork
     * is simulated in what m1's loop reads from the store; the streaming, the probes and the cycles are real.
     * The test ends before the 20 s grace after which m1 would rewind.)
     */
    @Test
    void aReplicaOnAnOlderTimelineThanItsLeaderIsCatchingUpNeverRunning() throws Exception {
        ClusterSpec spec = store.config().orElseThrow();
        MemberSpec m0 = new MemberSpec("m0", "127.0.0.1", freePort(), freePort(), "fra", 100, false);
        List<MemberSpec> both = List.of(m0, spec.member("m1").orElseThrow());
        store.putConfig(new ClusterSpec(CLUSTER, "ha", "fra", false, ClusterSpec.DEFAULT_MAX_LAG_BYTES, "127.0.0.1",
                spec.proxyPort(), spec.replicaPort(), 15, both, Map.of("shared_buffers", "16MB")));
        startOtherMember(m0);
        await().atMost(Duration.ofSeconds(60)).until(() -> store.leader().map(l -> l.member().equals("m0") && l.ready())
                .orElse(false));

        loop.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> store.members().stream()
                .anyMatch(s -> s.name().equals("m1") && s.state() == MemberState.RUNNING && s.streaming()));
        int leaderTimeline = store.members().stream().filter(s -> s.name().equals("m0")).findFirst().orElseThrow().timeline();

        leaderTimelineSkew.set(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.state() == MemberState.CATCHING_UP);
        assertThat(loop.detail()).isEqualTo("catching up with m0");
        for (int i = 0; i < 8; i++) {
            Thread.sleep(LOOP.toMillis());
            assertThat(loop.state()).as("never settled on an older timeline").isEqualTo(MemberState.CATCHING_UP);
        }
        MemberStatus published = store.members().stream().filter(s -> s.name().equals("m1")).findFirst().orElseThrow();
        assertThat(published.state()).isEqualTo(MemberState.CATCHING_UP);
        assertThat(published.streaming()).as("PostgreSQL still streams: only the timeline is behind").isTrue();
        assertThat(published.replicaProblem(Long.MAX_VALUE, leaderTimeline + 1))
                .hasValue("is not settled (catching up)");
    }

    /** Another member with its own session, PostgreSQL and loop; closed and removed after the test. */
    private void startOtherMember(MemberSpec m) throws Exception {
        DcsAddress address = DcsAddress.parse("zk://" + zk.getConnectString() + "/pgfly");
        CuratorFramework otherClient = ZkConnections.startAndWait(address, SESSION, null, Duration.ofSeconds(10));
        toClose.add(otherClient);
        ClusterStore otherStore = new ZkClusterStore(otherClient, address.root(), CLUSTER, true);
        toClose.add(otherStore);
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pgfly-haloop-" + m.name() + "-");
        toRemove.add(dir);
        PgInstance otherPg = new PgInstance(PgBinaries.locate(null), OsUser.forPostgres(), dir, m.host(), m.pgPort());
        otherPg.data().prepareDirectories();
        toClose.add(() -> {
            otherPg.stop(ShutdownMode.IMMEDIATE, Duration.ofSeconds(30));
            otherPg.postmaster().awaitOldProcessesGone(Duration.ofSeconds(30));
        });
        LeaseKeeper otherLease = new LeaseKeeper(otherStore, otherPg, m.name(), Duration.ofSeconds(2));
        toClose.add(otherLease);
        HaLoop other = new HaLoop(m.name(), LOOP, otherStore,
                new LocalPostgres(otherPg, Secrets.readFrom(secretsDir), m.name(), secretsDir), otherLease);
        toClose.add(other);
        other.start();
    }

    /** The store as m1's loop sees it: the primary's published timeline plus {@link #leaderTimelineSkew}. */
    private ClusterStore withLeaderTimelineSkew(ClusterStore real) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                Object result = method.invoke(real, args);
                if (!method.getName().equals("members") || leaderTimelineSkew.get() == 0) {
                    return result;
                }
                List<MemberStatus> skewed = new ArrayList<>();
                for (Object o : (List<?>) result) {
                    MemberStatus s = (MemberStatus) o;
                    skewed.add(s.role() != Role.PRIMARY ? s : new MemberStatus(s.name(), s.role(), s.state(), s.detail(),
                            s.host(), s.pgPort(), s.api(), s.region(), s.timeline() + leaderTimelineSkew.get(), s.lsn(),
                            s.receivedLsn(), s.replayedLsn(), s.lagBytes(), s.lagSeconds(), s.synchronous(),
                            s.streaming(), s.upstream(), s.term(), s.agentPid(), s.postgresPid(), s.updatedAt()));
                }
                return skewed;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (ClusterStore) Proxy.newProxyInstance(ClusterStore.class.getClassLoader(),
                new Class<?>[]{ClusterStore.class}, handler);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
