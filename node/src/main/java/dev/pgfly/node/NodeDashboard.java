package dev.pgfly.node;

import dev.pgfly.core.model.Event;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.dashboard.Dashboard;
import dev.pgfly.node.dashboard.DashboardFeed;
import dev.pgfly.node.dashboard.DashboardInfo;
import dev.pgfly.node.home.PgflyHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;

/**
 * Starts the node's dashboard ({@link Dashboard}) over the node's own cluster views. Its port: the one it
 * had before when still free, else the first free one from {@link #DEFAULT_PORT} up, claimed host-wide like
 * the node's other ports ({@link HostClaims}). A dashboard that cannot start is logged and left out: it is
 * never a reason for the node to stop serving its clusters.
 */
final class NodeDashboard {
    private static final Logger log = LoggerFactory.getLogger(NodeDashboard.class);
    static final int DEFAULT_PORT = 14443;

    private NodeDashboard() {
    }

    static AutoCloseable start(PgflyHome home, String nodeName, String address, String token, ClusterManager clusters) {
        try {
            HostClaims claims = HostClaims.forHome(home.root());
            int port = DashboardInfo.read(home).map(DashboardInfo::port)
                    .filter(p -> claims.tryClaim(address, p, 1, Set.of(), Ports::isFree))
                    .orElseGet(() -> claims.claimFree(address, DEFAULT_PORT, 1, 1, Set.of(), Ports::isFree));
            return Dashboard.start(home, nodeName, address, port, token, new DashboardFeed() {
                @Override
                public List<ClusterView> clusters() {
                    return clusters.list();
                }

                @Override
                public List<Event> events(String cluster, int limit) throws Exception {
                    return clusters.events(cluster, limit);
                }
            });
        } catch (Exception | LinkageError e) {
            log.warn("the dashboard did not start: {}", e.toString());
            return () -> { };
        }
    }
}
