package dev.pgfly.node.api;

/**
 * {@code member update}: the tags to change; a null field stays as it is. {@code failoverPriority} breaks
 * ties between equally fit candidates at the same WAL position (higher wins; 100 by default).
 */
public record MemberTagsUpdate(Integer failoverPriority, Boolean noFailover, Boolean noSync) {
    /** Priorities a person would pick; anything else is a typo. */
    public static final int MIN_PRIORITY = 0;
    public static final int MAX_PRIORITY = 1000;

    public boolean changesNothing() {
        return failoverPriority == null && noFailover == null && noSync == null;
    }

    /** Refuses what cannot be applied, in one line. */
    public void validate() {
        if (changesNothing()) {
            throw new IllegalArgumentException("nothing to change: give --failover-priority, --[no-]failover or --[no-]sync");
        }
        if (failoverPriority != null && (failoverPriority < MIN_PRIORITY || failoverPriority > MAX_PRIORITY)) {
            throw new IllegalArgumentException("--failover-priority must be " + MIN_PRIORITY + ".." + MAX_PRIORITY
                    + ", not " + failoverPriority);
        }
    }
}
