package dev.pgfly.core.model;

/**
 * A member as the cluster configuration knows it: where it lives and what it may become.
 * Addresses are fixed at creation so that replicas, the proxy and pg_hba.conf agree on them.
 */
public record MemberSpec(
        String name,
        String host,
        int pgPort,
        int apiPort,
        String region,
        int priority,
        boolean noFailover) {

    public String apiUrl() {
        return "http://" + host + ":" + apiPort;
    }
}
