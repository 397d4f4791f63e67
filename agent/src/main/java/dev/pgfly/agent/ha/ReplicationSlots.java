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

    void reconcile(ClusterSpec spec, MemberSpec me) throws SQLException {
        Set<String> desired = new TreeSet<>();
        for (MemberSpec m : spec.members()) {
            if (!m.name().equals(me.name())) {
                desired.add(SlotNames.of(m.name()));
            }
        }
        Set<String> existing = sql.replicationSlots();
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
    }
}
