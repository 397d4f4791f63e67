package dev.pgfly.node;

import dev.pgfly.core.model.Event;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.dashboard.Dashboard;
import dev.pgfly.node.dashboard.DashboardFeed;
import dev.pgfly.node.home.PgflyHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Mounts the node's dashboard ({@link Dashboard}) on its API's listeners, over the node's own cluster
 * views: the page shares the API's port and certificate. A dashboard that cannot start is logged and left
 * out: it is never a reason for the node to stop serving its clusters.
 */
final class NodeDashboard {
    private static final Logger log = LoggerFactory.getLogger(NodeDashboard.class);

    private NodeDashboard() {
    }

    /** @param tokens the daemon's token, then (a node of an installation) the installation's secret */
    static AutoCloseable mount(DaemonApi api, PgflyHome home, String nodeName, List<String> tokens, ClusterManager clusters) {
        try {
            Dashboard dashboard = Dashboard.start(home, nodeName, tokens, new DashboardFeed() {
                @Override
                public List<ClusterView> clusters() {
                    return clusters.list();
                }

                @Override
                public List<Event> events(String cluster, int limit) throws Exception {
                    return clusters.events(cluster, limit);
                }
            });
            api.serving(Dashboard.PATH, dashboard);
            return dashboard;
        } catch (RuntimeException | LinkageError e) {
            log.warn("the dashboard did not start: {}", e.toString());
            return () -> { };
        }
    }
}
