package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.ScheduledOperation;
import dev.pgfly.core.model.ScheduledOperation.Kind;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link ScheduledRunner}s of three nodes against a real ZooKeeper: a due operation runs once, on one node, even when
 * the node that scheduled it runs no runner; one not yet due waits; a failure is an event, not a retry.
 */
class ScheduledRunnerTest {
    private static final String CLUSTER = "demo";

    @TempDir
    Path dir;
    private EmbeddedZooKeeper zk;
    private final StoreCredentials credentials = StoreCredentials.generate("pgfly");
    private final List<CuratorFramework> clients = new ArrayList<>();
    private final List<ScheduledRunner> runners = new ArrayList<>();
    /** "node: operation" for every operation a runner ran. */
    private final Queue<String> ran = new ConcurrentLinkedQueue<>();
    private volatile boolean switchoverFails;

    @BeforeEach
    void start() throws Exception {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        runners.forEach(ScheduledRunner::close);
        clients.forEach(CuratorFramework::close);
        zk.close();
    }

    private ClusterStores node() {
        DcsAddress dcs = new DcsAddress("127.0.0.1:" + zk.port(), "/pgfly");
        CuratorFramework client = ZkConnections.startAndWait(dcs, Duration.ofSeconds(10), null, credentials, Duration.ofSeconds(10));
        clients.add(client);
        return new ClusterStores(client, dcs);
    }

    private void runner(String nodeName) {
        ScheduledRunner runner = new ScheduledRunner(new ScheduledRunner.Operations() {
            @Override
            public List<String> clusters() {
                return List.of(CLUSTER);
            }

            @Override
            public String switchover(String cluster, String to) {
                ran.add(nodeName + ": switchover to " + to);
                if (switchoverFails) {
                    throw new IllegalStateException("switchover refused: m2 lags");
                }
                return to;
            }

            @Override
            public String restart(String cluster, boolean force, String member) {
                ran.add(nodeName + ": restart");
                return "3 step(s)";
            }
        }, node(), nodeName);
        runner.start(Duration.ofMillis(100));
        runners.add(runner);
    }

    private List<Event> events(ClusterStores stores) {
        try (ClusterStore store = stores.open(CLUSTER)) {
            return store.events(50);
        }
    }

    @Test
    void aDueOperationRunsOnceOnOneNodeAndOneNotDueWaits() {
        ClusterStores requester = node();
        long now = System.currentTimeMillis();
        try (ClusterStore store = requester.open(CLUSTER)) {
            store.putScheduled(new ScheduledOperation(Kind.SWITCHOVER, now + 500, "m2", null, false, "n1", now));
            store.putScheduled(new ScheduledOperation(Kind.RESTART, now + 3_600_000, null, null, true, "n1", now));
        }
        // n1, which took the request, runs nothing: it is gone.
        runner("n2");
        runner("n3");
        runner("n4");
        await().atMost(Duration.ofSeconds(20)).until(() -> events(requester).stream().anyMatch(e -> e.kind().equals("scheduled-done")));
        assertThat(ran).hasSize(1).allMatch(r -> r.endsWith(": switchover to m2"));
        try (ClusterStore store = requester.open(CLUSTER)) {
            assertThat(store.scheduled(Kind.SWITCHOVER)).isEmpty();
            assertThat(store.scheduled(Kind.RESTART)).as("an hour ahead: still waiting").isPresent();
        }
        assertThat(events(requester)).filteredOn(e -> e.kind().equals("scheduled-started")).hasSize(1)
                .allMatch(e -> e.reason().contains("requested on node n1"));
    }

    @Test
    void aFailedOperationIsRecordedAndNotRetried() throws Exception {
        switchoverFails = true;
        ClusterStores requester = node();
        long now = System.currentTimeMillis();
        try (ClusterStore store = requester.open(CLUSTER)) {
            store.putScheduled(new ScheduledOperation(Kind.SWITCHOVER, now, "m2", null, false, "n1", now));
        }
        runner("n1");
        runner("n2");
        await().atMost(Duration.ofSeconds(20)).until(() -> events(requester).stream().anyMatch(e -> e.kind().equals("scheduled-failed")));
        Thread.sleep(1000);
        assertThat(ran).as("tried once").hasSize(1);
        assertThat(events(requester)).filteredOn(e -> e.kind().equals("scheduled-failed")).singleElement()
                .satisfies(e -> assertThat(e.reason()).contains("switchover refused: m2 lags"));
    }
}
