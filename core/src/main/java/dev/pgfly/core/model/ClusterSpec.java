package dev.pgfly.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The desired shape of a cluster. Stored in the coordination store under {@code config}, so that
 * every agent and proxy acts on the same view; the daemon keeps a copy on disk to restart clusters.
 *
 * @param tls PostgreSQL accepts TLS connections only (members' certificates signed by the cluster's own
 *            CA); false for clusters stored before pgfly had TLS, whose JSON has no such field
 * @param pooler the connection pooler next to each proxy, or null: none (clusters stored before pgfly
 *               had one have no such field)
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
        Map<String, String> settings,
        long idleTimeoutSeconds,
        boolean tls,
        PoolerSpec pooler) {

    public static final long DEFAULT_MAX_LAG_BYTES = 1024 * 1024;

    public ClusterSpec {
        members = List.copyOf(members);
        settings = Map.copyOf(settings == null ? Map.of() : settings);
        if (idleTimeoutSeconds < 0) {
            throw new IllegalArgumentException("idle timeout must not be negative");
        }
    }

    /** A cluster without a pooler. */
    public ClusterSpec(String name, String config, String primaryRegion, boolean synchronous, long maxLagBytes,
                       String proxyHost, int proxyPort, int replicaPort, int pgMajor, List<MemberSpec> members,
                       Map<String, String> settings, long idleTimeoutSeconds, boolean tls) {
        this(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort, replicaPort, pgMajor,
                members, settings, idleTimeoutSeconds, tls, null);
    }

    /** A cluster without TLS. */
    public ClusterSpec(String name, String config, String primaryRegion, boolean synchronous, long maxLagBytes,
                       String proxyHost, int proxyPort, int replicaPort, int pgMajor, List<MemberSpec> members,
                       Map<String, String> settings, long idleTimeoutSeconds) {
        this(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort, replicaPort, pgMajor,
                members, settings, idleTimeoutSeconds, false);
    }

    /** A cluster that never scales to zero, without TLS. */
    public ClusterSpec(String name, String config, String primaryRegion, boolean synchronous, long maxLagBytes,
                       String proxyHost, int proxyPort, int replicaPort, int pgMajor, List<MemberSpec> members,
                       Map<String, String> settings) {
        this(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort, replicaPort, pgMajor,
                members, settings, 0, false);
    }

    /**
     * Scale to zero applies to a one-member development cluster only: a member with replicas, or of an
     * HA cluster, must keep serving (and streaming) whatever its clients do.
     */
    public boolean scalesToZero() {
        return idleTimeoutSeconds > 0 && "dev".equals(config) && members.size() == 1;
    }

    public ClusterSpec withIdleTimeout(long seconds) {
        return new ClusterSpec(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, members, settings, seconds, tls, pooler);
    }

    public Optional<MemberSpec> member(String memberName) {
        return members.stream().filter(m -> m.name().equals(memberName)).findFirst();
    }

    public ClusterSpec withMembers(List<MemberSpec> newMembers) {
        return new ClusterSpec(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, newMembers, settings, idleTimeoutSeconds, tls, pooler);
    }

    public ClusterSpec withMember(MemberSpec added) {
        List<MemberSpec> list = new ArrayList<>(members);
        list.add(added);
        return withMembers(list);
    }

    /** The same members, with the one named as {@code changed} replaced by it (in its place). */
    public ClusterSpec replacingMember(MemberSpec changed) {
        if (member(changed.name()).isEmpty()) {
            throw new IllegalArgumentException("no member " + changed.name());
        }
        return withMembers(members.stream().map(m -> m.name().equals(changed.name()) ? changed : m).toList());
    }

    public ClusterSpec withoutMember(String memberName) {
        return withMembers(members.stream().filter(m -> !m.name().equals(memberName)).toList());
    }

    public ClusterSpec withSettings(Map<String, String> newSettings) {
        return new ClusterSpec(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, members, new TreeMap<>(newSettings), idleTimeoutSeconds, tls, pooler);
    }

    public ClusterSpec withSynchronous(boolean sync) {
        return new ClusterSpec(name, config, primaryRegion, sync, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, members, settings, idleTimeoutSeconds, tls, pooler);
    }

    /** The same cluster led from another region (disaster recovery: {@code pgfly failover --allow-other-region}). */
    public ClusterSpec withPrimaryRegion(String region) {
        return new ClusterSpec(name, config, region, synchronous, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, members, settings, idleTimeoutSeconds, tls, pooler);
    }

    public ClusterSpec withTls(boolean on) {
        return new ClusterSpec(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, members, settings, idleTimeoutSeconds, on, pooler);
    }

    /** The same cluster with {@code newPooler} (null: no pooler). */
    public ClusterSpec withPooler(PoolerSpec newPooler) {
        return new ClusterSpec(name, config, primaryRegion, synchronous, maxLagBytes, proxyHost, proxyPort,
                replicaPort, pgMajor, members, settings, idleTimeoutSeconds, tls, newPooler);
    }
}
