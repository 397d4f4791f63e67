package dev.pgfly.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The desired shape of a cluster. Stored in the coordination store under {@code config}, so that
 * every agent and proxy acts on the same view; the daemon keeps a copy on disk to restart clusters.
 */
public record ClusterSpec(
        String name,
        String config,
        String primaryRegion,
        boolean synchronous,
        long maxLagBytes,
        String proxyHost,
        int proxyPort,
        int replicaPort,
        int pgMajor,
        List<MemberSpec> members,
        Map<String, String> settings) {

    public static final long DEFAULT_MAX_LAG_BYTES = 1024 * 1024;

    public ClusterSpec {
        members = List.copyOf(members);
        settings = Map.copyOf(settings == null ? Map.of() : settings);
    }

    public Optional<MemberSpec> member(String memberName) {
        return members.stream().filter(m -> m.name().equals(memberName)).findFirst();
    }

    public ClusterSpec withMembers(List<MemberSpec> newMembers) {
        return new ClusterSpec(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, newMembers, settings);
    }

    public ClusterSpec withMember(MemberSpec added) {
        List<MemberSpec> list = new ArrayList<>(members);
        list.add(added);
        return withMembers(list);
    }

    public ClusterSpec withoutMember(String memberName) {
        return withMembers(members.stream().filter(m -> !m.name().equals(memberName)).toList());
    }

    public ClusterSpec withSettings(Map<String, String> newSettings) {
        return new ClusterSpec(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, members, new TreeMap<>(newSettings));
    }

    public ClusterSpec withSynchronous(boolean sync) {
        return new ClusterSpec(name, config, primaryRegion, sync, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, members, settings);
    }
}
