package dev.pgfly.node.home;

import dev.pgfly.core.model.ClusterSpec;

import java.util.Map;
import java.util.TreeMap;

/**
 * The daemon's on-disk record of a cluster ({@code cluster.json}): the spec, whether it should be
 * running (so a restarted daemon brings it back), the index that fixes its loopback addresses, where
 * its members' data lives, the port of the proxy's {@code /metrics} (0 in records written before it
 * existed: one is picked when the cluster next starts), and the ports of other regions' proxies.
 *
 * @param regionProxies for each region other than the primary one that has members, the port of
 *                      that region's proxy (primary port; the replica port is the next one)
 * @param placement     in an installation of several nodes, the node that runs each member (member name to
 *                      node name); empty on a one-host install, where this host runs every member
 */
public record LocalCluster(ClusterSpec spec, boolean running, int index, String dataRoot, String pgBin,
                    int proxyMetricsPort, Map<String, Integer> regionProxies, Map<String, String> placement) {

    public LocalCluster {
        regionProxies = regionProxies == null ? Map.of() : Map.copyOf(regionProxies);
        placement = placement == null ? Map.of() : Map.copyOf(placement);
    }

    public LocalCluster(ClusterSpec spec, boolean running, int index, String dataRoot, String pgBin, int proxyMetricsPort) {
        this(spec, running, index, dataRoot, pgBin, proxyMetricsPort, Map.of(), Map.of());
    }

    /** Whether the members run on several nodes (an installation made with {@code pgfly node init}). */
    public boolean spansNodes() {
        return !placement.isEmpty();
    }

    /** The node that runs {@code member}; on a one-host install, {@code thisNode}. */
    public String nodeOf(String member, String thisNode) {
        return placement.getOrDefault(member, thisNode);
    }

    public LocalCluster withPlacement(Map<String, String> newPlacement) {
        return new LocalCluster(spec, running, index, dataRoot, pgBin, proxyMetricsPort, regionProxies, new TreeMap<>(newPlacement));
    }

    public LocalCluster withSpec(ClusterSpec newSpec) {
        return new LocalCluster(newSpec, running, index, dataRoot, pgBin, proxyMetricsPort, regionProxies, placement);
    }

    public LocalCluster withRunning(boolean run) {
        return new LocalCluster(spec, run, index, dataRoot, pgBin, proxyMetricsPort, regionProxies, placement);
    }

    public LocalCluster withPgBin(String dir) {
        return new LocalCluster(spec, running, index, dataRoot, dir, proxyMetricsPort, regionProxies, placement);
    }

    public LocalCluster withProxyMetricsPort(int port) {
        return new LocalCluster(spec, running, index, dataRoot, pgBin, port, regionProxies, placement);
    }

    public LocalCluster withRegionProxies(Map<String, Integer> proxies) {
        return new LocalCluster(spec, running, index, dataRoot, pgBin, proxyMetricsPort, new TreeMap<>(proxies), placement);
    }

    /** The primary port of the proxy that serves {@code region}: its own, or the primary region's. */
    public int proxyPortFor(String region) {
        return regionProxies.getOrDefault(region, spec.proxyPort());
    }
}
