package dev.pgfly.backup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The primary's WAL archiver, from {@code pg_stat_archiver}. {@link #failing()} is what a health
 * check or an alert wants: the last attempt failed (a failed push is retried by PostgreSQL, and WAL
 * piles up in pg_wal meanwhile).
 */
public record ArchiverStatus(long archivedCount, String lastArchivedWal, Instant lastArchivedTime,
                             long failedCount, String lastFailedWal, Instant lastFailedTime) {

    public static final String QUERY = "SELECT archived_count, last_archived_wal, last_archived_time, failed_count,"
            + " last_failed_wal, last_failed_time FROM pg_stat_archiver";

    /** Reads the archiver's state on a connection to the primary (any role may read pg_stat_archiver). */
    public static ArchiverStatus query(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(QUERY)) {
            rs.next();
            return new ArchiverStatus(rs.getLong(1), rs.getString(2), instant(rs.getTimestamp(3)), rs.getLong(4),
                    rs.getString(5), instant(rs.getTimestamp(6)));
        }
    }

    public boolean failing() {
        return lastFailedTime != null && (lastArchivedTime == null || lastFailedTime.isAfter(lastArchivedTime));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
