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

    /**
     * The region whose replicas this node's proxy of {@code cluster} prefers on its replica port. On one host, the
     * primary region's (other regions have proxies of their own). In an installation every node that runs a
     * member runs the cluster's proxy, and a region's members run on that region's nodes: the proxy prefers
     * the region of the members it runs beside (the primary region when it runs one of those), so that
     * {@code url --replica --region R} reads from R (the proxy falls back to any replica when R has none).
     */
    String proxyRegion(LocalCluster cluster) {
        String primary = cluster.spec().primaryRegion();
        if (!cluster.spansNodes()) {
            return primary;
        }
        java.util.SortedSet<String> here = new java.util.TreeSet<>();
        cluster.spec().members().stream().filter(m -> name.equals(cluster.placement().get(m.name())))
                .forEach(m -> here.add(m.region()));
        return here.isEmpty() || here.contains(primary) ? primary : here.first();
    }

    /** Where an installation's cluster keeps its members' data on every host. */
    Path installationDataRoot(String cluster) {
        return INSTALLATION_DATA.resolve(installationId).resolve(cluster).resolve("members");
    }
}
