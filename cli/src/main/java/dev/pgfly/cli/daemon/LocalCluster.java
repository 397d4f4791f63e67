package dev.pgfly.cli.daemon;

import dev.pgfly.core.model.ClusterSpec;

/**
 * The daemon's on-disk record of a cluster ({@code cluster.json}): the spec, whether it should be
 * running (so a restarted daemon brings it back), the index that fixes its loopback addresses, and
 * where its members' data lives.
 */
public record LocalCluster(ClusterSpec spec, boolean running, int index, String dataRoot, String pgBin) {

    LocalCluster withSpec(ClusterSpec newSpec) {
        return new LocalCluster(newSpec, running, index, dataRoot, pgBin);
    }

    LocalCluster withRunning(boolean run) {
        return new LocalCluster(spec, run, index, dataRoot, pgBin);
    }
}
