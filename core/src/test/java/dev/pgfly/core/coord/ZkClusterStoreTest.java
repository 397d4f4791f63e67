package dev.pgfly.core.coord;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The coordination store against a real ZooKeeper server (curator-test's TestingServer). */
class ZkClusterStoreTest {
    private TestingServer server;
    private ZkClusterStore a;
    private ZkClusterStore b;

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer(true);
        a = connect();
        b = connect();
    }

    private ZkClusterStore connect() {
        DcsAddress address = DcsAddress.parse("zk://" + server.getConnectString() + "/pgfly");
        return new ZkClusterStore(ZkConnections.startAndWait(address, Duration.ofSeconds(3), null, Duration.ofSeconds(10)),
                address.root(), "c1", true);
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        server.close();
    }

    private static ClusterSpec spec() {
        return new ClusterSpec("c1", "ha", "fra", true, 1024, "127.0.0.1", 5432, 5433, 15,
                List.of(new MemberSpec("m1", "127.0.1.1", 5432, 8008, "fra", 100, false),
                        new MemberSpec("m2", "127.0.1.2", 5432, 8008, "fra", 100, true)), Map.of("work_mem", "8MB"));
    }

    @Test
    void configRoundTrips() {
        a.putConfig(spec());
        assertThat(b.config()).contains(spec());
    }

    @Test
    void exactlyOneClientAcquiresLeadershipAndTheTermGrows() {
        a.putConfig(spec());
        OptionalLong first = a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        OptionalLong second = b.tryAcquireLeadership("m2", "127.0.1.2", 5432);
        assertThat(first).hasValue(1);
        assertThat(second).isEmpty();
        assertThat(a.holdsLeadership("m1")).isTrue();
        assertThat(b.holdsLeadership("m1")).as("another session does not hold it").isFalse();
        assertThat(b.lastLeader()).contains("m1");

        a.releaseLeadership("m1");
        assertThat(b.tryAcquireLeadership("m2", "127.0.1.2", 5432)).hasValue(2);
        assertThat(b.currentTerm()).isEqualTo(2);
        assertThat(a.lastLeader()).contains("m2");
    }

    @Test
    void onlyTheOwnerUpdatesTheLeaderNode() {
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        LeaderRecord record = b.leader().orElseThrow();
        assertThat(record.ready()).isFalse();
        assertThatThrownBy(() -> b.updateLeader(record.asReady())).isInstanceOf(StoreException.class);
        a.updateLeader(record.asReady());
        assertThat(b.leader().orElseThrow().ready()).isTrue();
        b.releaseLeadership("m1");
        assertThat(a.leader()).as("a non-owner cannot release it").isPresent();
    }

    @Test
    void theLeaderNodeGoesWithItsOwnersSession() {
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        a.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.leader().isEmpty());
        assertThat(b.tryAcquireLeadership("m2", "127.0.1.2", 5432)).hasValue(2);
    }

    @Test
    void aStaleLeaderNodeOfTheSameMemberIsRemovedButNoOtherMembers() {
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        b.removeStaleLeader("m2");
        assertThat(b.leader()).isPresent();
        a.removeStaleLeader("m1");
        assertThat(b.leader()).as("own session's node is not stale").isPresent();
        b.removeStaleLeader("m1");
        assertThat(a.leader()).isEmpty();
    }

    @Test
    void initializationIsClaimedOnce() {
        assertThat(a.initialized()).isFalse();
        assertThat(a.tryClaimInitialize("m1")).isTrue();
        assertThat(b.tryClaimInitialize("m2")).isFalse();
        assertThat(b.initialized()).isTrue();
    }

    @Test
    void eventsKeepOrderAndLimit() {
        for (int i = 0; i < 5; i++) {
            a.recordEvent(new Event(i, "kind" + i, "m1", 1, "reason " + i));
        }
        assertThat(b.events(3)).extracting(Event::kind).containsExactly("kind2", "kind3", "kind4");
    }

    @Test
    void watchersSeeLeaderChanges() {
        AtomicInteger changes = new AtomicInteger();
        b.onChange(changes::incrementAndGet);
        int before = changes.get();
        a.tryAcquireLeadership("m1", "127.0.1.1", 5432);
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() > before);
    }

    @Test
    void aLostConnectionIsReportedAsSuspendedThenReconnected() throws Exception {
        AtomicBoolean suspended = new AtomicBoolean();
        AtomicBoolean reconnected = new AtomicBoolean();
        a.onConnectionChange(new ConnectionListener() {
            @Override
            public void suspended() {
                suspended.set(true);
            }

            @Override
            public void reconnected() {
                reconnected.set(true);
            }

            @Override
            public void lost() {
            }
        });
        server.stop();
        await().atMost(Duration.ofSeconds(10)).untilTrue(suspended);
        server.restart();
        await().atMost(Duration.ofSeconds(20)).untilTrue(reconnected);
    }
}
