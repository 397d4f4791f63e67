package dev.pgfly.node.dashboard;

import dev.pgfly.core.model.Lsn;
import dev.pgfly.node.api.MemberView;

import java.util.List;

/**
 * What the node saw of one cluster at one moment, for the dashboard's charts: the primary's WAL position
 * (its growth between two samples is the write throughput) and the replicas' worst lag.
 *
 * @param primaryLsn    the primary's published LSN as a number, or -1 when there was no primary to read
 * @param maxLagBytes   the largest replica lag in bytes (0 without replicas)
 * @param maxLagSeconds the largest replica replay delay in seconds
 */
public record Sample(long atMillis, long primaryLsn, long maxLagBytes, double maxLagSeconds) {

    /** A sample of the members as {@code status} shows them; a member with an unreadable LSN counts as none. */
    public static Sample of(long atMillis, List<MemberView> members) {
        long lsn = -1;
        long lagBytes = 0;
        double lagSeconds = 0;
        for (MemberView m : members) {
            if ("primary".equals(m.role())) {
                lsn = parseOrUnknown(m.lsn());
            } else if ("replica".equals(m.role())) {
                lagBytes = Math.max(lagBytes, m.lagBytes());
                lagSeconds = Math.max(lagSeconds, m.lagSeconds());
            }
        }
        return new Sample(atMillis, lsn, lagBytes, lagSeconds);
    }

    private static long parseOrUnknown(String lsn) {
        try {
            return lsn == null || lsn.isBlank() ? -1 : Lsn.parse(lsn);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
