package dev.pgfly.agent.ha;

import dev.pgfly.agent.local.LocalPostgres;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.ZkClusterStore;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberState;
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

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    @BeforeEach
    void setUp() throws Exception {
        zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1), true);
        DcsAddress address = DcsAddress.parse("zk://" + zk.getConnectString() + "/pgfly");
        client = ZkConnections.startAndWait(address, SESSION, null, Duration.ofSeconds(10));
        store = new ZkClusterStore(client, address.root(), CLUSTER, true);
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
            store.close();
            client.close();
            zk.close();
        } finally {
            Command.run(List.of("rm", "-rf", memberDir.toString(), secretsDir.toString()), Map.of(), Duration.ofMinutes(1));
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

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
