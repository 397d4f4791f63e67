package dev.pgfly.agent.disk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How much WAL a member may keep, from the size of its data volume, so that WAL alone can never fill it:
 * <ul>
 *   <li>{@code max_slot_wal_keep_size}: 10 % of the volume (as Fly's Postgres sets it), at least 32 MB.
 *       A replica that stays away longer loses its slot's WAL instead of filling the primary's disk; its
 *       agent then re-clones it.</li>
 *   <li>{@code wal_keep_size}: 128 MB, or 5 % of a smaller volume.</li>
 *   <li>{@code max_wal_size}: 1 GB (PostgreSQL's default), or 25 % of a smaller volume, at least 32 MB;
 *       {@code min_wal_size}: 80 MB, or 32 MB on a volume where that would not fit.</li>
 * </ul>
 * On a volume of 40 GB and more only {@code max_slot_wal_keep_size} differs from pgfly's earlier settings.
 * Settings the user gives for the cluster override these.
 */
public final class WalBudget {
    static final long MB = 1L << 20;
    static final long SEGMENT_PAIR = 32 * MB;

    private WalBudget() {
    }

    /** The settings for a volume of {@code volumeBytes}; empty when the size is unknown (0). */
    public static Map<String, String> settings(long volumeBytes) {
        Map<String, String> s = new LinkedHashMap<>();
        if (volumeBytes <= 0) {
            return s;
        }
        s.put("max_slot_wal_keep_size", mb(Math.max(SEGMENT_PAIR, volumeBytes / 10)));
        s.put("wal_keep_size", mb(Math.min(128 * MB, volumeBytes / 20)));
        long maxWal = Math.clamp(volumeBytes / 4, SEGMENT_PAIR, 1024 * MB);
        s.put("max_wal_size", mb(maxWal));
        s.put("min_wal_size", mb(Math.min(80 * MB, Math.max(SEGMENT_PAIR, volumeBytes / 20))));
        return s;
    }

    private static String mb(long bytes) {
        return (bytes / MB) + "MB";
    }
}
