package dev.pgfly.node;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreAcls;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.node.ensemble.EnsemblePeer;
import dev.pgfly.node.ensemble.FreePeerPorts;
import dev.pgfly.node.ensemble.PeerAddress;
import dev.pgfly.node.ensemble.PeerRole;
import dev.pgfly.node.ensemble.StandaloneData;
import dev.pgfly.node.ensemble.TestStoreIdentity;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code pgfly node init} relies on to keep a one-host home's coordination state: the standalone
 * server's files, moved by {@link StandaloneData}, are read by a quorum peer started on the same directory
 * (ZooKeeper's upgrade from standalone: no currentEpoch file yet). Real servers, one after the other.
 */
class StandaloneToPeerTest {
    private static final StoreCredentials CREDENTIALS = TestStoreIdentity.CREDENTIALS;

    @TempDir
    Path home;

    @Test
    void aPeerStartedOnTheMovedFilesReadsWhatTheStandaloneServerWroteAndWritesOn() throws Exception {
        Path zkDir = home.resolve("zookeeper");
        EmbeddedZooKeeper standalone = EmbeddedZooKeeper.start(zkDir, "127.0.0.1", 0);
        try (CuratorFramework client = connect("127.0.0.1:" + standalone.port())) {
            StoreAcls.secureTree(client, "/pgfly", CREDENTIALS);
            client.create().creatingParentsIfNeeded().forPath("/pgfly/demo/history", text("timeline 2"));
            client.create().forPath("/pgfly/demo/term", text("7"));
            client.create().withMode(CreateMode.EPHEMERAL).forPath("/pgfly/demo/leader", text("m1"));
            for (int i = 0; i < 200; i++) {
                client.setData().forPath("/pgfly/demo/term", text(Integer.toString(8 + i)));
            }
        } finally {
            standalone.close();
        }
        assertThat(StandaloneData.present(zkDir)).isTrue();

        assertThat(StandaloneData.moveToPeer(zkDir)).isPositive();
        assertThat(StandaloneData.present(zkDir)).isFalse();
        assertThat(StandaloneData.moveToPeer(zkDir)).as("a second run finds nothing to move").isZero();

        PeerAddress self = FreePeerPorts.on("127.0.0.1", 1, PeerRole.VOTER);
        EnsemblePeer peer = EnsemblePeer.start(zkDir, self, List.of(self), CREDENTIALS);
        try (CuratorFramework client = connect(self.clientAddress())) {
            assertThat(read(client, "/pgfly/demo/history")).isEqualTo("timeline 2");
            assertThat(read(client, "/pgfly/demo/term")).isEqualTo("207");
            // the ephemeral leader went with its session (closed), as it would on a daemon stop
            assertThat(client.checkExists().forPath("/pgfly/demo/leader")).isNull();
            client.setData().forPath("/pgfly/demo/term", text("208"));
            client.create().creatingParentsIfNeeded().forPath("/pgfly/_install/id", text("x"));
        } finally {
            peer.close();
        }
        assertThat(Files.exists(zkDir.resolve("data/version-2"))).isTrue();

        // and again, as a restarted node: the peer's own files now
        EnsemblePeer again = EnsemblePeer.start(zkDir, self, List.of(self), CREDENTIALS);
        try (CuratorFramework client = connect(self.clientAddress())) {
            assertThat(read(client, "/pgfly/demo/term")).isEqualTo("208");
            assertThat(read(client, "/pgfly/_install/id")).isEqualTo("x");
        } finally {
            again.close();
        }
    }

    private static CuratorFramework connect(String servers) {
        return ZkConnections.startAndWait(new DcsAddress(servers, "/pgfly"), Duration.ofSeconds(10), null, CREDENTIALS,
                Duration.ofSeconds(30));
    }

    private static String read(CuratorFramework client, String path) throws Exception {
        return new String(client.getData().forPath(path), StandardCharsets.UTF_8);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
