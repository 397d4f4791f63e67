package dev.pgfly.node.dashboard;

import dev.pgfly.core.model.Event;
import dev.pgfly.node.api.ClusterView;

import java.util.List;

/**
 * What the dashboard reads from its node: the same views the node's API answers to the CLI
 * ({@code GET /v1/clusters}, {@code GET /v1/clusters/NAME/events}), taken in-process.
 */
public interface DashboardFeed {
    List<ClusterView> clusters();

    List<Event> events(String cluster, int limit) throws Exception;
}
