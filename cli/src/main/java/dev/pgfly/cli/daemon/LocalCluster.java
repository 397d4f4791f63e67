package dev.pgfly.cli.daemon;

import dev.pgfly.core.model.ClusterSpec;

/**
 * The daemon's on-disk record of a cluster ({@code cluster.json}): the spec, whether it should be
 * running (so a restarted daemon brings it back), the index that fixes its loopback addresses, where
 * its members' data lives, and the port of the proxy's {@code /metrics} (0 in records written before
 * it existed: one is picked when the cluster next starts).
 */
record LocalCluster(ClusterSpec spec, boolean running, int index, String dataRoot, String pgBin,
                    int proxyMetricsPort) {

    LocalCluster withSpec(ClusterSpec newSpec) {
        return new LocalCluster(newSpec, running, index, dataRoot, pgBin, proxyMetricsPort);
    }

    LocalCluster withRunning(boolean run) {
        return new LocalCluster(spec, run, index, dataRoot, pgBin, proxyMetricsPort);
    }

    LocalCluster withProxyMetricsPort(int port) {
        return new LocalCluster(spec, running, index, dataRoot, pgBin, port);
    }
}
