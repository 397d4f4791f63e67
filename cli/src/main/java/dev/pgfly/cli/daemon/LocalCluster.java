package dev.pgfly.cli.daemon;

import dev.pgfly.core.model.ClusterSpec;

import java.util.Map;
import java.util.TreeMap;

/**
 * The daemon's on-disk record of a cluster ({@code cluster.json}): the spec, whether it should be
 * running (so a restarted daemon brings it back), the index that fixes its loopback addresses, and
 * where its members' data lives.
 */
record LocalCluster(ClusterSpec spec, boolean running, int index, String dataRoot, String pgBin,
                    Map<String, Integer> regionProxies) {

    /**
     * @param regionProxies for each region other than the primary one that has members, the port of
     *                      that region's proxy (primary port; the replica port is the next one)
     */
    LocalCluster {
        regionProxies = regionProxies == null ? Map.of() : Map.copyOf(regionProxies);
    }

    LocalCluster(ClusterSpec spec, boolean running, int index, String dataRoot, String pgBin) {
        this(spec, running, index, dataRoot, pgBin, Map.of());
    }

    LocalCluster withSpec(ClusterSpec newSpec) {
        return new LocalCluster(newSpec, running, index, dataRoot, pgBin, regionProxies);
    }

    LocalCluster withRunning(boolean run) {
        return new LocalCluster(spec, run, index, dataRoot, pgBin, regionProxies);
    }

    LocalCluster withRegionProxies(Map<String, Integer> proxies) {
        return new LocalCluster(spec, running, index, dataRoot, pgBin, new TreeMap<>(proxies));
    }

    /** The primary port of the proxy that serves {@code region}: its own, or the primary region's. */
    int proxyPortFor(String region) {
        return regionProxies.getOrDefault(region, spec.proxyPort());
    }
}
