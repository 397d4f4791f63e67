package dev.pgfly.node.dashboard;

import com.sun.net.httpserver.HttpServer;
import dev.pgfly.core.util.Json;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberChecks;
import dev.pgfly.node.api.MemberView;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The members' checks as the page shows them: each member's worst, and what fails, by member. */
class ChecksWatchTest {

    private static MemberView member(String name, String api) {
        return new MemberView(name, "replica", "running", "r", "127.0.0.1", 5432, 1L, 2L, api, "0/3000000", 1, 0, 0,
                false, true, null, null, null);
    }

    private static ClusterView cluster(String state, MemberView... members) {
        return new ClusterView("shop", "ha", state, "r", false, 1, "a", null, List.of(members), null, 0, false);
    }

    @Test
    void agentsAreAskedOnlyWhileAPageIsOpen() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        byte[] report = Json.bytes(new MemberChecks("a", "passing", List.of()));
        agent.createContext("/checks", ex -> {
            asked.incrementAndGet();
            ex.sendResponseHeaders(200, report.length);
            ex.getResponseBody().write(report);
            ex.close();
        });
        agent.start();
        ClusterView c = cluster("running", member("a", "http://127.0.0.1:" + agent.getAddress().getPort()));
        Dashboard dashboard = Dashboard.start(null, "local", List.of("t"), new DashboardFeed() {
            @Override
            public List<ClusterView> clusters() {
                return List.of(c);
            }

            @Override
            public List<dev.pgfly.core.model.Event> events(String cluster, int limit) {
                return List.of();
            }
        });
        try {
            Thread.sleep(2500);
            assertThat(asked.get()).as("nobody looks: no agent is asked").isZero();
            dashboard.viewedAt(System.currentTimeMillis());
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (!dashboard.overview(System.currentTimeMillis()).toString().contains("checks=passing")
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(asked.get()).as("a page looks: the agents are asked at once").isPositive();
            assertThat(dashboard.overview(System.currentTimeMillis()).toString()).contains("checks=passing");
        } finally {
            dashboard.close();
            agent.stop(0);
        }
    }

    @Test
    void anAgentsReportAndAnAgentThatDoesNotAnswerAreBothShown() throws Exception {
        HttpServer agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        byte[] report = Json.bytes(new MemberChecks("a", "warning", List.of(new MemberChecks.Check("pg", "passing", ""),
                new MemberChecks.Check("vm", "warning", "disk 90% full"))));
        agent.createContext("/checks", ex -> {
            ex.sendResponseHeaders(200, report.length);
            ex.getResponseBody().write(report);
            ex.close();
        });
        agent.start();
        HttpServer closed = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1);
        int deadPort = closed.getAddress().getPort();
        closed.stop(0);
        try {
            ChecksWatch watch = new ChecksWatch();
            ClusterView c = cluster("running", member("a", "http://127.0.0.1:" + agent.getAddress().getPort()),
                    member("b", "http://127.0.0.1:" + deadPort), member("c", null));
            assertThat(watch.withChecks(c).members()).extracting(MemberView::checks).as("not asked yet")
                    .containsExactly(null, null, null);
            watch.refresh(List.of(c));
            assertThat(watch.withChecks(c).members()).extracting(MemberView::checks)
                    .containsExactly("warning", "critical", null);
            assertThat(watch.failing(c)).containsExactly("a: vm warning: disk 90% full",
                    "b: agent critical: agent API unreachable at http://127.0.0.1:" + deadPort);

            ClusterView stopped = cluster("stopped", c.members().toArray(MemberView[]::new));
            watch.refresh(List.of(stopped));
            assertThat(watch.failing(stopped)).as("a stopped cluster's agents are not asked, nor their old answers kept").isEmpty();
        } finally {
            agent.stop(0);
        }
    }
}
