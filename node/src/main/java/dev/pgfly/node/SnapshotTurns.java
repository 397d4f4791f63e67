package dev.pgfly.node;

import dev.pgfly.node.home.LocalCluster;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In an installation of several hosts, exactly one node takes a cluster's scheduled snapshots: a Curator
 * leader latch per cluster, among the nodes that run one of its members (a snapshot streams from a member,
 * and only members' addresses may replicate). When that node goes, another member's node takes over.
 */
final class SnapshotTurns implements BackupScheduler.Turn {
    private static final Logger log = LoggerFactory.getLogger(SnapshotTurns.class);

    private final CuratorFramework client;
    private final String base;
    private final ThisNode thisNode;
    private final Map<String, LeaderLatch> latches = new ConcurrentHashMap<>();

    SnapshotTurns(CuratorFramework client, String root, ThisNode thisNode) {
        this.client = client;
        this.base = root + "/_install/snapshot-turns/";
        this.thisNode = thisNode;
    }

    @Override
    public boolean mine(LocalCluster cluster) {
        String name = cluster.spec().name();
        if (!thisNode.runsProxyOf(cluster)) {
            leave(name);
            return false;
        }
        LeaderLatch latch = latches.computeIfAbsent(name, n -> {
            LeaderLatch l = new LeaderLatch(client, base + n, thisNode.name());
            try {
                l.start();
            } catch (Exception e) {
                log.warn("{}: cannot join the snapshot schedule's latch: {}", n, e.toString());
            }
            return l;
        });
        return latch.hasLeadership();
    }

    private void leave(String cluster) {
        LeaderLatch l = latches.remove(cluster);
        if (l != null) {
            try {
                l.close();
            } catch (IOException | IllegalStateException e) {
                log.debug("{}: latch close: {}", cluster, e.toString());
            }
        }
    }

    @Override
    public void close() {
        latches.keySet().forEach(this::leave);
    }
}
