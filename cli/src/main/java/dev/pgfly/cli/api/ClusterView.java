package dev.pgfly.cli.api;

import java.util.List;

/** A cluster in {@code status} and {@code list}. */
public record ClusterView(String name, String config, String state, String primaryRegion, boolean synchronous,
                          long term, String leader, Proxy proxy, List<MemberView> members) {

    public record Proxy(String primary, String replica) {
    }
}
