package dev.pgfly.core.model;

/**
 * A member as the cluster configuration knows it: where it lives and what it may become. Its tags
 * ({@code priority}, {@code noFailover}, {@code noSync}) are honoured by the failover policy and by the
 * synchronous set: a {@code nofailover} member is never promoted, a {@code nosync} one never made synchronous.
 * Addresses are fixed at creation so that replicas, the proxy and pg_hba.conf agree on them.
 */
public record MemberSpec(
        String name,
        String host,
        int pgPort,
        int apiPort,
        String region,
        int priority,
        boolean noFailover,
        boolean noSync) {

    /** The priority every member starts with. */
    public static final int DEFAULT_PRIORITY = 100;

    /** A member without the {@code nosync} tag (as every member was before tags could be changed). */
    public MemberSpec(String name, String host, int pgPort, int apiPort, String region, int priority, boolean noFailover) {
        this(name, host, pgPort, apiPort, region, priority, noFailover, false);
    }

    /** The same member with these tags: {@code pgfly member update}. */
    public MemberSpec withTags(int newPriority, boolean newNoFailover, boolean newNoSync) {
        return new MemberSpec(name, host, pgPort, apiPort, region, newPriority, newNoFailover, newNoSync);
    }

    /**
     * The tags that differ from a plain member, for people ({@code nofailover,nosync,priority=5}); empty when none.
     * Priority {@link #DEFAULT_PRIORITY} is the default: higher wins among equally fit candidates at the same WAL.
     */
    public String tags() {
        java.util.List<String> tags = new java.util.ArrayList<>();
        if (noFailover) {
            tags.add("nofailover");
        }
        if (noSync) {
            tags.add("nosync");
        }
        if (priority != DEFAULT_PRIORITY) {
            tags.add("priority=" + priority);
        }
        return String.join(",", tags);
    }

    public String apiUrl() {
        return "http://" + host + ":" + apiPort;
    }
}
