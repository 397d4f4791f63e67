package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.ZkClusterStore;
import dev.pgfly.core.model.Event;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Each cluster's nodes in the embedded ZooKeeper, and the cluster's event history kept there. */
final class ClusterStores {
    private static final Logger log = LoggerFactory.getLogger(ClusterStores.class);

    private final CuratorFramework client;
    private final DcsAddress dcs;

    ClusterStores(CuratorFramework client, DcsAddress dcs) {
        this.client = client;
        this.dcs = dcs;
    }

    ClusterStore open(String name) {
        return new ZkClusterStore(client, dcs.root(), name, false);
    }

    void record(String name, String kind, String member, String reason) {
        try (ClusterStore store = open(name)) {
            store.recordEvent(new Event(System.currentTimeMillis(), kind, member, store.currentTerm(), reason));
        } catch (RuntimeException e) {
            log.debug("could not record event: {}", e.toString());
        }
    }
}
