package dev.pgfly.e2e;

import dev.pgfly.testkit.WritableProbe;
import dev.pgfly.testkit.Writer;
import dev.pgfly.testkit.hosts.Hosts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #20 (f): two data hosts and a small third host that only votes ({@code node join --witness}) run a
 * two-member {@code --sync} cluster with automatic failover — what Fly's two-node clusters cannot do. The
 * primary's host crashes: the witness keeps ZooKeeper's majority and the other member is promoted, with nothing
 * acknowledged lost and never two writable members. With {@code --sync} (strict) its commits wait for a standby,
 * so writes go on once the crashed host's member has rejoined as a replica.
 */
class WitnessIT {
    private static final String CLUSTER = "pair";
    private static NodeInstallation nodes;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Hosts.unavailableReason().isEmpty(), () -> "no namespace hosts: " + Hosts.unavailableReason().orElse(""));
        nodes = NodeInstallation.of(3);
        nodes.init(1, "d1");
        nodes.join(2, "d2");
        nodes.join(3, "w", "--witness");
    }

    @AfterAll
    static void tearDown() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void aTwoMemberSyncClusterFailsOverWhenThePrimaryHostCrashes() throws Exception {
        JsonNode list = nodes.node(3).ok("node", "list", "--json").json();
        Map<String, String> roles = new java.util.TreeMap<>();
        list.forEach(n -> roles.put(n.get("name").asString(), n.get("store_role").asString() + (n.get("witness").asBoolean() ? "/witness" : "")));
        assertThat(roles).isEqualTo(Map.of("d1", "voter", "d2", "voter", "w", "voter/witness"));

        nodes.node(1).ok("create", CLUSTER, "--config", "ha", "--members", "2", "--sync");
        JsonNode status = nodes.node(2).status(CLUSTER);
        Set<String> placed = new HashSet<>();
        status.get("members").forEach(m -> placed.add(m.get("node").asString()));
        assertThat(placed).as("the witness holds no member").containsExactlyInAnyOrder("d1", "d2");

        String url = nodes.node(2).ok("url", CLUSTER).out().strip();
        String password = Files.readString(nodes.node(1).home().resolve("clusters/" + CLUSTER + "/secrets/superuser.password")).strip();
        try (WritableProbe probe = new WritableProbe(WritableProbe.of(status), password, null);
             Writer writer = new Writer(url)) {
            assertThat(writer.awaitMoreAcks(20, 60_000)).isTrue();
            int primary = primaryHost(status);
            int other = 3 - primary;
            writer.resetGap();
            long crashed = System.nanoTime();
            nodes.host(primary).crash();
            // The witness keeps ZooKeeper's majority, so the other member is promoted (it is the recorded
            // synchronous standby: it holds every acknowledged write).
            assertThat(primaryHost(awaitStatus(other, s -> primaryHost(s) == other, 90))).isEqualTo(other);
            System.out.printf("two-member cluster, primary host crashed: d%d promoted after %.1f s%n", other,
                    (System.nanoTime() - crashed) / 1e9);
            // --sync is strict: with its only standby gone, the new primary's commits wait for it. The host
            // comes back (its node restarts), its member rejoins as the standby, and writes go on.
            nodes.node(primary).ok("node", "list");
            assertThat(writer.awaitMoreAcks(20, 180_000)).as("writes resume on d%d once d%d is back", other, primary).isTrue();
            System.out.printf("two-member cluster: longest write gap %d ms (includes the crashed host's restart)%n",
                    writer.longestGapMillis());
            JsonNode healed = awaitStatus(other, s -> {
                int running = 0;
                for (JsonNode m : s.get("members")) {
                    running += m.get("state").asString().equals("running") ? 1 : 0;
                }
                return running == 2;
            }, 180);
            for (JsonNode m : healed.get("members")) {
                if (m.get("node").asString().equals("d" + primary)) {
                    assertThat(m.get("role").asString()).isEqualTo("replica");
                }
            }
            assertThat(writer.awaitMoreAcks(20, 30_000)).isTrue();
            writer.close();
            Set<Long> present = Writer.stored(url);
            Set<Long> lost = new HashSet<>(writer.acknowledged());
            lost.removeAll(present);
            assertThat(lost).as("acknowledged writes lost").isEmpty();
            assertThat(probe.splitBrains()).as("moments with two writable members").isEmpty();
        }
    }

    private static int primaryHost(JsonNode s) {
        for (JsonNode m : s.get("members")) {
            if (m.get("role").asString().equals("primary") && m.get("state").asString().equals("running")) {
                return Integer.parseInt(m.get("node").asString().substring(1));
            }
        }
        return 0;
    }

    private static JsonNode awaitStatus(int i, java.util.function.Predicate<JsonNode> ready, int seconds) throws Exception {
        return nodes.awaitStatus(i, CLUSTER, ready, seconds);
    }
}
