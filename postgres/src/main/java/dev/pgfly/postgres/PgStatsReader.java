package dev.pgfly.postgres;

import dev.pgfly.core.model.Lsn;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Reads {@link PgStats} over a connection of its own, so that metrics scrapes and health checks never
 * queue behind (or hold up) the HA loop's connection. Every read is one short round of queries under
 * a 2 s statement timeout and a 2 s connect timeout: a stuck server makes a scrape report
 * {@code pg_up 0}, it never makes it hang.
 */
public final class PgStatsReader implements AutoCloseable {
    static final int STATEMENT_TIMEOUT_MILLIS = 2000;

    private static final String SERVER = """
            SELECT pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery() THEN %s
                        ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
                   CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END,
                   pg_last_wal_receive_lsn()::text,
                   pg_last_wal_replay_lsn()::text,
                   COALESCE((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false),
                   (SELECT sender_host FROM pg_stat_wal_receiver),
                   CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END,
                   current_setting('max_connections')::int,
                   (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')
            """.formatted(PgSql.STANDBY_TIMELINE);
    /** pg_stat_database has a row with a NULL datname for shared catalogs: left out, as postgres_exporter does. */
    private static final String DATABASES = """
            SELECT s.datname, s.xact_commit, s.xact_rollback, s.blks_hit, s.blks_read, pg_database_size(s.datid)
              FROM pg_stat_database s JOIN pg_database d ON d.oid = s.datid
             WHERE s.datname IS NOT NULL AND d.datallowconn
             ORDER BY s.datname
            """;
    /** Every state of every database, zeros included, so that a series does not vanish when it hits 0. */
    private static final String ACTIVITY = """
            SELECT d.datname, s.state, count(a.pid)
              FROM pg_database d
             CROSS JOIN (VALUES ('active'), ('idle'), ('idle in transaction'), ('idle in transaction (aborted)'),
                                ('fastpath function call'), ('disabled')) AS s(state)
              LEFT JOIN pg_stat_activity a ON a.datid = d.oid AND a.state = s.state AND a.backend_type = 'client backend'
             WHERE d.datallowconn
             GROUP BY d.datname, s.state
             ORDER BY d.datname, s.state
            """;
    /** Only on a primary (the WHERE keeps pg_current_wal_lsn() from running on a standby). */
    private static final String REPLICAS = """
            SELECT application_name, state, sync_state,
                   COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint,
                   COALESCE(EXTRACT(EPOCH FROM replay_lag), 0)
              FROM pg_stat_replication
             WHERE NOT pg_is_in_recovery()
             ORDER BY application_name
            """;

    /**
     * The archiver's last attempt failed (the rule of the backup module's ArchiverStatus.failing): PostgreSQL
     * retries it, and WAL piles up in pg_wal meanwhile. No row when archiving works.
     */
    static final String ARCHIVER = """
            SELECT last_failed_wal || ' at ' || last_failed_time, failed_count
              FROM pg_stat_archiver
             WHERE last_failed_time IS NOT NULL
               AND (last_archived_time IS NULL OR last_failed_time > last_archived_time)
            """;

    private final String url;
    private final Properties props;
    private Connection connection;

    public PgStatsReader(String host, int port, String user, String password) {
        this(host, port, user, password, PgTls.OFF);
    }

    public PgStatsReader(String host, int port, String user, String password, PgTls tls) {
        this.url = "jdbc:postgresql://" + host + ":" + port + "/postgres";
        this.props = PgLogin.properties(user, password);
        props.setProperty("connectTimeout", "2");
        props.setProperty("loginTimeout", "2");
        props.setProperty("socketTimeout", "5");
        props.setProperty("ApplicationName", "pgfly-metrics");
        props.setProperty("options", "-c statement_timeout=" + STATEMENT_TIMEOUT_MILLIS);
        tls.addTo(props);
    }

    /** One round of queries; never throws: a failure is a {@link PgStats#down} with the reason. */
    public synchronized PgStats read() {
        try {
            return readRound(connection());
        } catch (SQLException e) {
            reset();
            return PgStats.down(firstLine(e.getMessage()));
        }
    }

    private PgStats readRound(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(5);
            boolean inRecovery;
            int timeline;
            long wal;
            boolean streaming;
            String sender;
            double lag;
            int maxConnections;
            int connections;
            try (ResultSet rs = st.executeQuery(SERVER)) {
                rs.next();
                inRecovery = rs.getBoolean(1);
                timeline = rs.getInt(2);
                wal = Math.max(Lsn.parse(rs.getString(3)), Math.max(Lsn.parse(rs.getString(4)), Lsn.parse(rs.getString(5))));
                streaming = rs.getBoolean(6);
                sender = rs.getString(7);
                lag = rs.getDouble(8);
                maxConnections = rs.getInt(9);
                connections = rs.getInt(10);
            }
            List<PgStats.DatabaseStats> databases = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(DATABASES)) {
                while (rs.next()) {
                    databases.add(new PgStats.DatabaseStats(rs.getString(1), rs.getLong(2), rs.getLong(3),
                            rs.getLong(4), rs.getLong(5), rs.getLong(6)));
                }
            }
            List<PgStats.ActivityCount> activity = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(ACTIVITY)) {
                while (rs.next()) {
                    activity.add(new PgStats.ActivityCount(rs.getString(1), rs.getString(2), rs.getLong(3)));
                }
            }
            List<PgStats.ReplicaLag> replicas = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(REPLICAS)) {
                while (rs.next()) {
                    replicas.add(new PgStats.ReplicaLag(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getLong(4), rs.getDouble(5)));
                }
            }
            String archiveFailure = null;
            try (ResultSet rs = st.executeQuery(ARCHIVER)) {
                if (rs.next()) {
                    archiveFailure = rs.getString(1) + " (" + rs.getLong(2) + " failures in all)";
                }
            }
            return new PgStats(true, null, inRecovery, timeline, wal, streaming, sender, lag, maxConnections,
                    connections, databases, activity, replicas, archiveFailure);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = PgLogin.connect(url, props);
            connection.setAutoCommit(true);
        }
        return connection;
    }

    private void reset() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
            connection = null;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no answer";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public synchronized void close() {
        reset();
    }
}
