package dev.pgfly.node;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreAcls;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.coord.ZkLimits;
import org.apache.curator.framework.CuratorFramework;
import org.apache.jute.BinaryInputArchive;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The daemon's ZooKeeper as an anonymous local client meets it (issue 18, hole 7). */
class EmbeddedZooKeeperTest {
    @TempDir
    Path dir;
    private EmbeddedZooKeeper zk;
    private CuratorFramework pgfly;
    private final StoreCredentials credentials = StoreCredentials.generate("pgfly");

    @BeforeEach
    void start() throws Exception {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
        pgfly = ZkConnections.startAndWait(address(), Duration.ofSeconds(10), null, credentials, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        pgfly.close();
        zk.close();
    }

    private DcsAddress address() {
        return new DcsAddress("127.0.0.1:" + zk.port(), "/pgfly");
    }

    private ZooKeeper anonymous() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper client = new ZooKeeper("127.0.0.1:" + zk.port(), 5000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
        return client;
    }

    @Test
    void anAnonymousClientCanWriteNowhereAndWhatItLeftBeforeIsRemoved() throws Exception {
        ZooKeeper attacker = anonymous();
        try {
            // what an older pgfly allowed: a node at the top and one in the quota tree
            attacker.create("/junk", new byte[100], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            attacker.create("/junk/deeper", new byte[100], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            attacker.create("/zookeeper/quota/junk", new byte[100], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            pgfly.create().forPath("/pgfly");

            int removed = StoreAcls.secureServerRoot(pgfly, credentials, "/pgfly");

            assertThat(removed).isEqualTo(3);
            assertThat(attacker.exists("/junk", false)).isNull();
            assertThat(attacker.exists("/zookeeper/quota/junk", false)).isNull();
            assertThat(pgfly.checkExists().forPath("/pgfly")).as("pgfly's own root stays").isNotNull();
            for (String parent : new String[] {"", "/zookeeper", "/zookeeper/quota"}) {
                assertThatThrownBy(() -> attacker.create(parent + "/x", new byte[10], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT)).as(parent).isInstanceOf(KeeperException.NoAuthException.class);
            }
            assertThatThrownBy(() -> attacker.setData("/zookeeper/quota", new byte[10], -1))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> attacker.setACL("/zookeeper", ZooDefs.Ids.OPEN_ACL_UNSAFE, -1))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThat(attacker.getChildren("/", false)).as("reading stays open").contains("zookeeper", "pgfly");
            // pgfly itself still writes where it needs to
            pgfly.create().forPath("/pgfly/c1", new byte[10]);
        } finally {
            attacker.close();
        }
    }

    @Test
    void requestsLargerThanPgflyNeedsAreRefused() throws Exception {
        assumeThat(BinaryInputArchive.maxBuffer).as("jute.maxbuffer was read before this test set it")
                .isEqualTo(ZkLimits.MAX_BUFFER_BYTES);
        pgfly.create().forPath("/pgfly");
        pgfly.create().forPath("/pgfly/big-enough", new byte[ZkLimits.MAX_NODE_BYTES]);
        assertThatThrownBy(() -> pgfly.create().forPath("/pgfly/too-big", new byte[ZkLimits.MAX_BUFFER_BYTES + 1]))
                .isInstanceOf(KeeperException.class);
    }
}
