package dev.pgfly.node;

import dev.pgfly.node.home.LocalCluster;

import java.nio.file.Path;

/**
 * The node this process is, and which parts of a cluster it runs. On a one-host install (no
 * {@code node init}) it is "local" and runs everything; in an installation of several nodes it runs the
 * members placed on it and, when it runs one, the cluster's proxy, on its own address.
 *
 * @param installationId null on a one-host install
 */
record ThisNode(String name, String address, String installationId) {
    static final String SINGLE_HOST = "local";
    /** Member data in an installation: one path on every host, so that each node finds its members' data. */
    private static final Path INSTALLATION_DATA = Path.of("/var/lib/pgfly");

    static ThisNode singleHost() {
        return new ThisNode(SINGLE_HOST, null, null);
    }

    boolean runs(LocalCluster cluster, String member) {
        return !cluster.spansNodes() || (name.equals(cluster.placement().get(member)) && cluster.spec().member(member).isPresent());
    }

    boolean runsProxyOf(LocalCluster cluster) {
        return !cluster.spansNodes() || cluster.placement().containsValue(name);
    }

    /** Where this node's proxy of {@code cluster} listens: the node's own address once members span nodes. */
    String proxyListenAddress(LocalCluster cluster) {
        return cluster.spansNodes() ? address : cluster.spec().proxyHost();
    }

    /** Where an installation's cluster keeps its members' data on every host. */
    Path installationDataRoot(String cluster) {
        return INSTALLATION_DATA.resolve(installationId).resolve(cluster).resolve("members");
    }
}
