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
 */
public record LocalCluster(ClusterSpec spec, boolean running, int index, String dataRoot, String pgBin,
                    int proxyMetricsPort, Map<String, Integer> regionProxies) {

    public LocalCluster {
        regionProxies = regionProxies == null ? Map.of() : Map.copyOf(regionProxies);
    }

    public LocalCluster(ClusterSpec spec, boolean running, int index, String dataRoot, String pgBin, int proxyMetricsPort) {
        this(spec, running, index, dataRoot, pgBin, proxyMetricsPort, Map.of());
    }

    public LocalCluster withSpec(ClusterSpec newSpec) {
        return new LocalCluster(newSpec, running, index, dataRoot, pgBin, proxyMetricsPort, regionProxies);
    }

    public LocalCluster withRunning(boolean run) {
        return new LocalCluster(spec, run, index, dataRoot, pgBin, proxyMetricsPort, regionProxies);
    }

    public LocalCluster withPgBin(String dir) {
        return new LocalCluster(spec, running, index, dataRoot, dir, proxyMetricsPort, regionProxies);
    }

    public LocalCluster withProxyMetricsPort(int port) {
        return new LocalCluster(spec, running, index, dataRoot, pgBin, port, regionProxies);
    }

    public LocalCluster withRegionProxies(Map<String, Integer> proxies) {
        return new LocalCluster(spec, running, index, dataRoot, pgBin, proxyMetricsPort, new TreeMap<>(proxies));
    }

    /** The primary port of the proxy that serves {@code region}: its own, or the primary region's. */
    public int proxyPortFor(String region) {
        return regionProxies.getOrDefault(region, spec.proxyPort());
    }
}
