package dev.pgfly.core.coord;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.MemberSpec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client without pgfly's credentials can neither write nor delete the leader node or the
 * configuration (ZooKeeper answers NoAuth), while pgfly, authenticated, works as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreAclsTest {
    private static final Duration SESSION = Duration.ofSeconds(3);
    private static final Duration CONNECT = Duration.ofSeconds(15);
    private static TestingServer server;
    private static DcsAddress address;

    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    /** One identity for the whole server, as with a daemon: the root node belongs to whoever created it first. */
    private static final StoreCredentials pgfly = StoreCredentials.generate("pgfly");

    @BeforeAll
    static void startServer() throws Exception {
        server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1), true);
        address = DcsAddress.parse("zk://" + server.getConnectString() + "/pgfly");
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private CuratorFramework client(StoreCredentials credentials) {
        CuratorFramework c = ZkConnections.startAndWait(address, SESSION, null, credentials, CONNECT);
        open.add(c);
        return c;
    }

    private ZkClusterStore store(CuratorFramework client, String cluster) {
        ZkClusterStore s = new ZkClusterStore(client, address.root(), cluster, false);
        open.add(s);
        return s;
    }

    private static ClusterSpec spec(String cluster) {
        return new ClusterSpec(cluster, "dev", "fra", false, 1024, "127.0.0.1", 5432, 5433, 17,
                List.of(new MemberSpec("m1", "127.0.1.1", 5432, 8008, "fra", 100, false)), Map.of());
    }

    @Test
    void anonymousClientsCannotTouchTheLeaderOrTheConfig() throws Exception {
        ZkClusterStore owner = store(client(pgfly), "acl1");
        owner.putConfig(spec("acl1"));
        assertThat(owner.tryAcquireLeadership("m1", "127.0.1.1", 5432)).isPresent();
        owner.recordEvent(new Event(System.currentTimeMillis(), "test", "m1", 1, "ok"));

        CuratorFramework anonymous = client(null);
        String base = address.root() + "/acl1";
        byte[] forged = "{\"member\":\"evil\",\"term\":99}".getBytes(StandardCharsets.UTF_8);
        for (String node : List.of("leader", "config", "term", "last_leader")) {
            assertThatThrownBy(() -> anonymous.setData().forPath(base + "/" + node, forged))
                    .as("write " + node).isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> anonymous.getData().forPath(base + "/" + node))
                    .as("read " + node).isInstanceOf(KeeperException.NoAuthException.class);
        }
        assertThatThrownBy(() -> anonymous.delete().forPath(base + "/leader"))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.delete().deletingChildrenIfNeeded().forPath(base))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.create().withMode(CreateMode.EPHEMERAL).forPath(base + "/switchover", forged))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.create().forPath(address.root() + "/other", forged))
                .isInstanceOf(KeeperException.NoAuthException.class);

        assertThat(owner.leader()).hasValueSatisfying(l -> assertThat(l.member()).isEqualTo("m1"));
        assertThat(owner.config()).contains(spec("acl1"));
        assertThat(owner.holdsLeadership("m1")).isTrue();
    }

    @Test
    void otherCredentialsAreRefusedToo() throws Exception {
        store(client(pgfly), "acl2").putConfig(spec("acl2"));
        CuratorFramework intruder = client(StoreCredentials.generate("pgfly"));
        assertThatThrownBy(() -> intruder.setData().forPath(address.root() + "/acl2/config", new byte[0]))
                .isInstanceOf(KeeperException.NoAuthException.class);
    }

    @Test
    void aTreeCreatedWithoutAclsIsClosed() throws Exception {
        // A root of its own: pgfly's root is closed to anonymous creates once pgfly made it.
        ZkClusterStore old = new ZkClusterStore(client(null), "/legacy", "acl3", false);
        open.add(old);
        old.putConfig(spec("acl3"));
        CuratorFramework owner = client(pgfly);
        assertThat(StoreAcls.secureTree(owner, "/legacy", pgfly)).isGreaterThanOrEqualTo(4);
        CuratorFramework anonymous = client(null);
        assertThatThrownBy(() -> anonymous.setData().forPath("/legacy/acl3/config", new byte[0]))
                .isInstanceOf(KeeperException.NoAuthException.class);
        ZkClusterStore secured = new ZkClusterStore(owner, "/legacy", "acl3", false);
        open.add(secured);
        assertThat(secured.config()).contains(spec("acl3"));
        assertThat(StoreAcls.secureTree(owner, "/legacy", pgfly)).isZero();
    }

    @Test
    void credentialsFileRoundTripsPrivately(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("secrets/zk.auth");
        pgfly.writeTo(file);
        assertThat(StoreCredentials.readFrom(file)).isEqualTo(pgfly);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(pgfly.digestId()).startsWith("pgfly:").doesNotContain(pgfly.password());
    }
}
