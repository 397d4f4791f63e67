package dev.pgfly.node.api;

import dev.pgfly.core.model.ScheduledOperation;

import java.util.List;

/**
 * A cluster in {@code status} and {@code list}.
 *
 * @param tls    PostgreSQL accepts TLS connections only; clients verify it with {@code pgfly cert}'s CA
 * @param paused "paused until ..." while the cluster is paused ({@code pgfly pause}), else null
 * @param scheduled operations scheduled for later ({@code --at}), soonest first; empty when none
 */
public record ClusterView(String name, String config, String state, String primaryRegion, boolean synchronous,
                          long term, String leader, Proxy proxy, List<MemberView> members, List<Proxy> proxies,
                          long idleTimeoutSeconds, boolean tls, String hostRisk, String paused,
                          List<ScheduledOperation> scheduled) {

    public ClusterView {
        scheduled = scheduled == null ? List.of() : List.copyOf(scheduled);
    }

    public ClusterView(String name, String config, String state, String primaryRegion, boolean synchronous,
                       long term, String leader, Proxy proxy, List<MemberView> members, List<Proxy> proxies,
                       long idleTimeoutSeconds, boolean tls, String hostRisk, String paused) {
        this(name, config, state, primaryRegion, synchronous, term, leader, proxy, members, proxies, idleTimeoutSeconds,
                tls, hostRisk, paused, List.of());
    }

    /** The same view with the operations scheduled for later. */
    public ClusterView withScheduled(List<ScheduledOperation> operations) {
        return new ClusterView(name, config, state, primaryRegion, synchronous, term, leader, proxy, members,
                proxies, idleTimeoutSeconds, tls, hostRisk, paused, operations);
    }

    public ClusterView(String name, String config, String state, String primaryRegion, boolean synchronous,
                       long term, String leader, Proxy proxy, List<MemberView> members, List<Proxy> proxies,
                       long idleTimeoutSeconds, boolean tls, String hostRisk) {
        this(name, config, state, primaryRegion, synchronous, term, leader, proxy, members, proxies, idleTimeoutSeconds,
                tls, hostRisk, null);
    }

    /** The same view, saying (when not null) that the cluster is paused and until when. */
    public ClusterView withPaused(String pausedUntil) {
        return new ClusterView(name, config, state, primaryRegion, synchronous, term, leader, proxy, members,
                proxies, idleTimeoutSeconds, tls, hostRisk, pausedUntil, scheduled);
    }

    public ClusterView(String name, String config, String state, String primaryRegion, boolean synchronous,
                       long term, String leader, Proxy proxy, List<MemberView> members, List<Proxy> proxies,
                       long idleTimeoutSeconds, boolean tls) {
        this(name, config, state, primaryRegion, synchronous, term, leader, proxy, members, proxies, idleTimeoutSeconds, tls, null);
    }

    /** The same view with other proxies (an installation's: one per node that runs a member). */
    public ClusterView withProxies(Proxy primaryRegionProxy, List<Proxy> all) {
        return new ClusterView(name, config, state, primaryRegion, synchronous, term, leader, primaryRegionProxy, members,
                all, idleTimeoutSeconds, tls, hostRisk, paused, scheduled);
    }

    /** The same view, saying (when not null) why the loss of one host would take the whole cluster down. */
    public ClusterView withHostRisk(String risk) {
        return new ClusterView(name, config, state, primaryRegion, synchronous, term, leader, proxy, members,
                proxies, idleTimeoutSeconds, tls, risk, paused, scheduled);
    }

    /**
     * A proxy: the primary region's is {@code proxy}; every region with members has one in {@code proxies}.
     *
     * @param metrics  the proxy's Prometheus endpoint (null when it has none); an installation's cluster has one proxy
     *                 per node that runs a member: their endpoints, comma-separated, as {@code primary} lists them
     * @param pooled   PgBouncer's address(es) next to the primary region's proxy (null: no pooler)
     * @param poolMode transaction or session (null: no pooler)
     */
    public record Proxy(String primary, String replica, String region, String metrics, String pooled, String poolMode) {

        public Proxy(String primary, String replica) {
            this(primary, replica, null, null);
        }

        public Proxy(String primary, String replica, String region, String metrics) {
            this(primary, replica, region, metrics, null, null);
        }
    }

    public ClusterView withMembers(List<MemberView> newMembers) {
        return new ClusterView(name, config, state, primaryRegion, synchronous, term, leader, proxy, newMembers,
                proxies, idleTimeoutSeconds, tls, hostRisk, paused, scheduled);
    }
}
