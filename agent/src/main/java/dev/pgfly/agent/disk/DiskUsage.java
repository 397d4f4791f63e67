package dev.pgfly.agent.disk;

/**
 * One look at the data volume: its size, what is used, and how much of that pg_wal holds (and, of it,
 * the segments still waiting for the WAL archive). Sizes in bytes; a total of 0 means unknown.
 */
public record DiskUsage(long totalBytes, long usedBytes, long walBytes, long walAwaitingArchiveBytes) {

    public static final DiskUsage UNKNOWN = new DiskUsage(0, 0, 0, 0);

    public boolean known() {
        return totalBytes > 0;
    }

    /** The used share of the volume, 0..1; 0 when unknown. */
    public double usedFraction() {
        return known() ? (double) usedBytes / totalBytes : 0;
    }
}
