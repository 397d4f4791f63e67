package dev.pgfly.node.install;

import dev.pgfly.core.util.Json;
import dev.pgfly.node.home.LocalCluster;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The installation's desired state in the coordination store, so that no node's disk is the only copy:
 * <pre>
 * ROOT/_install/id                   the installation's id (data directories are keyed by it)
 * ROOT/_install/nodes/NAME           NodeRecord (persistent)
 * ROOT/_install/up/NAME              ephemeral: the node is up (held by its session)
 * ROOT/_install/clusters/NAME        the cluster's record (spec, placement, ports)
 * ROOT/_install/files/CLUSTER/FILE   the cluster's secrets and TLS material (the files of its secrets directory)
 * </pre>
 * Every node is created through a client that carries pgfly's credentials and ACL provider, so only the
 * installation's identity reads any of it — secrets included. Names that start with {@code _} are never
 * cluster names, so none of this collides with a cluster's own nodes under ROOT.
 */
public final class Installation implements AutoCloseable {
    private final CuratorFramework client;
    private final String base;
    private PersistentNode up;
    private CuratorCache clusterCache;

    public Installation(CuratorFramework client, String root) {
        this.client = client;
        this.base = root + "/_install";
    }

    // ------------------------------------------------------------------ identity

    /** The installation's id, created by the first node. */
    public String id(String proposed) throws Exception {
        String path = base + "/id";
        try {
            client.create().creatingParentsIfNeeded().forPath(path, proposed.getBytes(StandardCharsets.UTF_8));
        } catch (KeeperException.NodeExistsException e) {
            // another node (or an earlier start) made it first
        }
        return new String(client.getData().forPath(path), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ nodes

    public void putNode(NodeRecord node) throws Exception {
        put(base + "/nodes/" + node.name(), Json.bytes(node));
    }

    public Optional<NodeRecord> node(String name) throws Exception {
        return read(base + "/nodes/" + name).map(b -> Json.read(b, NodeRecord.class));
    }

    public List<NodeRecord> nodes() throws Exception {
        List<NodeRecord> nodes = new ArrayList<>();
        for (String name : children(base + "/nodes")) {
            node(name).ifPresent(nodes::add);
        }
        return nodes;
    }

    public void removeNode(String name) throws Exception {
        delete(base + "/nodes/" + name);
    }

    /** Announces this node as up for as long as its session lives (re-created after a new session). */
    public synchronized void announceUp(String name) throws Exception {
        client.createContainers(base + "/up");
        up = new PersistentNode(client, CreateMode.EPHEMERAL, false, base + "/up/" + name, new byte[0]);
        up.start();
    }

    public Set<String> upNodes() throws Exception {
        return new TreeSet<>(children(base + "/up"));
    }

    /**
     * Puts where this node's ZooKeeper peer stands ("leading", "following"...) on its up node, for
     * {@code node list}: an operator (and the host tests) can see which host the ensemble's leader is on.
     */
    public synchronized void publishStoreState(String state) throws Exception {
        byte[] data = state.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (up != null && !java.util.Arrays.equals(up.getData(), data)) {
            up.setData(data);
        }
    }

    /** Each up node's published store state (empty when it runs no peer or has not said yet). */
    public java.util.Map<String, String> storeStates() throws Exception {
        java.util.Map<String, String> states = new java.util.TreeMap<>();
        for (String name : children(base + "/up")) {
            states.put(name, read(base + "/up/" + name).map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8)).orElse(""));
        }
        return states;
    }

    // ------------------------------------------------------------------ clusters

    public void putCluster(LocalCluster cluster) throws Exception {
        put(base + "/clusters/" + cluster.spec().name(), Json.bytes(cluster));
    }

    public Optional<LocalCluster> cluster(String name) throws Exception {
        return read(base + "/clusters/" + name).map(b -> Json.read(b, LocalCluster.class));
    }

    public List<LocalCluster> clusters() throws Exception {
        List<LocalCluster> clusters = new ArrayList<>();
        for (String name : children(base + "/clusters")) {
            cluster(name).ifPresent(clusters::add);
        }
        return clusters;
    }

    public void deleteCluster(String name) throws Exception {
        delete(base + "/clusters/" + name);
        try {
            client.delete().deletingChildrenIfNeeded().forPath(base + "/files/" + name);
        } catch (KeeperException.NoNodeException e) {
            // nothing stored
        }
    }

    /** Calls {@code onChange} whenever a cluster record is created, changed or deleted. */
    public synchronized void watchClusters(Runnable onChange) throws Exception {
        client.createContainers(base + "/clusters");
        clusterCache = CuratorCache.build(client, base + "/clusters");
        clusterCache.listenable().addListener((type, oldData, data) -> onChange.run());
        clusterCache.start();
    }

    // ------------------------------------------------------------------ files

    public void putFiles(String cluster, Map<String, byte[]> files) throws Exception {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            put(base + "/files/" + cluster + "/" + f.getKey(), f.getValue());
        }
    }

    /** The names of the cluster's shared files: a node that has them all reads nothing more. */
    public List<String> fileNames(String cluster) throws Exception {
        return children(base + "/files/" + cluster);
    }

    public Optional<byte[]> file(String cluster, String name) throws Exception {
        return read(base + "/files/" + cluster + "/" + name);
    }

    // ------------------------------------------------------------------ plumbing

    private void put(String path, byte[] data) throws Exception {
        try {
            client.setData().forPath(path, data);
        } catch (KeeperException.NoNodeException e) {
            try {
                client.create().creatingParentContainersIfNeeded().forPath(path, data);
            } catch (KeeperException.NodeExistsException raced) {
                client.setData().forPath(path, data);
            }
        }
    }

    private Optional<byte[]> read(String path) throws Exception {
        try {
            return Optional.of(client.getData().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    private List<String> children(String path) throws Exception {
        try {
            return client.getChildren().forPath(path).stream().sorted().toList();
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    private void delete(String path) throws Exception {
        try {
            client.delete().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        }
    }

    @Override
    public synchronized void close() {
        if (clusterCache != null) {
            clusterCache.close();
        }
        if (up != null) {
            try {
                up.close();
            } catch (IOException e) {
                // the session ends with the node anyway
            }
        }
    }
}
