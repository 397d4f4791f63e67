package dev.pgfly.agent.local;

/**
 * The name of a member's replication slot on the primary (S6). pgfly's slots carry a prefix so that
 * slots created by users are never touched. Lives beside {@link LocalPostgres}, which names a replica's
 * {@code primary_slot_name}, and is read by the primary's slot reconciliation.
 */
public final class SlotNames {
    public static final String PREFIX = "pgfly_";

    private SlotNames() {
    }

    public static String of(String member) {
        return PREFIX + member.replace('-', '_');
    }
}
