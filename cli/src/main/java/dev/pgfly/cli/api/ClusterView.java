package dev.pgfly.cli.api;

import java.util.List;

/** A cluster in {@code status} and {@code list}. */
public record ClusterView(String name, String config, String state, String primaryRegion, boolean synchronous,
                          long term, String leader, Proxy proxy, List<MemberView> members, List<Proxy> proxies,
                          long idleTimeoutSeconds) {

    /** A proxy: the primary region's is {@code proxy}; every region with members has one in {@code proxies}. */
    public record Proxy(String primary, String replica, String region) {

        public Proxy(String primary, String replica) {
            this(primary, replica, null);
        }
    }
}
