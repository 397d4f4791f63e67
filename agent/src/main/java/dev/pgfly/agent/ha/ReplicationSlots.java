package dev.pgfly.agent.ha;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.agent.local.SlotNames;
import dev.pgfly.postgres.PgSql;

import java.sql.SQLException;
import java.util.Set;
import java.util.TreeSet;

/**
 * S6: the primary keeps a physical slot for every other member, so that no replica falls
 * off the WAL, and drops the slot of a removed member, so that WAL does not pile up for it.
 * pgfly's slots carry a prefix ({@link SlotNames}) so that slots created by users are never touched.
 */
final class ReplicationSlots {
    private final PgSql sql;

    ReplicationSlots(PgSql sql) {
        this.sql = sql;
    }

    /**
     * @return the members whose slots had lost their WAL ({@code max_slot_wal_keep_size}) and were made anew:
     * each must re-clone (its agent sees so in its own log, {@link PastWalRetention})
     */
    Set<String> reconcile(ClusterSpec spec, MemberSpec me) throws SQLException {
        Set<String> desired = new TreeSet<>();
        for (MemberSpec m : spec.members()) {
            if (!m.name().equals(me.name())) {
                desired.add(SlotNames.of(m.name()));
            }
        }
        Set<String> existing = sql.replicationSlots();
        // A slot past max_slot_wal_keep_size keeps nothing: made anew, it holds WAL again from the moment
        // its member, re-cloned, streams.
        Set<String> lost = new TreeSet<>();
        for (String slot : sql.lostSlots()) {
            if (desired.contains(slot)) {
                sql.dropSlot(slot);
                existing.remove(slot);
                spec.members().stream().filter(m -> SlotNames.of(m.name()).equals(slot))
                        .forEach(m -> lost.add(m.name()));
            }
        }
        for (String slot : desired) {
            if (!existing.contains(slot)) {
                sql.createSlot(slot);
            }
        }
        for (String slot : existing) {
            if (slot.startsWith(SlotNames.PREFIX) && !desired.contains(slot)) {
                sql.dropSlot(slot);
            }
        }
        return lost;
    }
}
