package dev.pgfly.backup;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's WAL file names: segments {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, then the segment
 * number split in two), optionally {@code .partial} or followed by a backup-history suffix, and
 * timeline history files {@code TTTTTTTT.history}. pgfly clusters use the default 16 MiB segments.
 */
public final class WalNames {
    public static final long SEGMENT_SIZE = 16L << 20;
    private static final long SEGMENTS_PER_ID = 0x1_0000_0000L / SEGMENT_SIZE;
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})(\\.partial|\\.[0-9A-F]{8}\\.backup)?");
    private static final Pattern HISTORY = Pattern.compile("[0-9A-F]{8}\\.history");

    private WalNames() {
    }

    /** Whether a name is one PostgreSQL archives: what {@code wal push|fetch} accept, so keys stay safe. */
    public static boolean isValid(String name) {
        return SEGMENT.matcher(name).matches() || HISTORY.matcher(name).matches();
    }

    public static boolean isHistory(String name) {
        return HISTORY.matcher(name).matches();
    }

    /** The segment number (position in the WAL, timeline aside) of a segment-like name; empty for history files. */
    public static OptionalLong segmentNumber(String name) {
        Matcher m = SEGMENT.matcher(name);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(m.group(2), 16) * SEGMENTS_PER_ID + Long.parseLong(m.group(3), 16));
    }

    /** The number of the segment that holds an LSN. */
    public static long segmentOf(long lsn) {
        return Long.divideUnsigned(lsn, SEGMENT_SIZE);
    }

    public static String segmentName(int timeline, long segment) {
        return String.format("%08X%08X%08X", timeline, segment / SEGMENTS_PER_ID, segment % SEGMENTS_PER_ID);
    }
}
