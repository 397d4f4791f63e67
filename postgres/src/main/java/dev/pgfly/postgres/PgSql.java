package dev.pgfly.postgres;

import dev.pgfly.core.model.Lsn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The SQL the agent runs against its own PostgreSQL, over one reused connection. Every statement has
 * a short timeout: a stuck server must not stall the HA loop.
 */
public final class PgSql implements AutoCloseable {
    private final String url;
    private final Properties props;
    private Connection connection;

    /**
     * The newest timeline a standby holds WAL of (S2 orders candidates by it). Its WAL receiver says, but only
     * while it runs, and it stops when the primary dies, just when an election reads this. The last
     * checkpoint's timeline is no substitute: it lags until the next restartpoint, so a standby rewound or
     * switched to timeline 3 minutes ago may still say 1. MultiHostIT lost two acknowledged writes to that:
     * the replica holding them said timeline 1, the other (also on 3) said 2 and was promoted. The names of the
     * WAL segments and history files in pg_wal carry the timeline of what was received or restored.
     */
    static final String STANDBY_TIMELINE = """
            GREATEST((SELECT received_tli FROM pg_stat_wal_receiver),
                     (SELECT timeline_id FROM pg_control_checkpoint()),
                     (SELECT max(('x' || substr(name, 1, 8))::bit(32)::int) FROM pg_ls_waldir()
                       WHERE name ~ '^[0-9A-F]{24}$' OR name ~ '^[0-9A-F]{8}[.]history$'))""";

    public PgSql(String host, int port, String user, String password) {
        this(host, port, user, password, PgTls.OFF);
    }

    public PgSql(String host, int port, String user, String password, PgTls tls) {
        this.url = "jdbc:postgresql://" + host + ":" + port + "/postgres";
        this.props = PgLogin.properties(user, password);
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "10");
        props.setProperty("loginTimeout", "3");
        props.setProperty("ApplicationName", "pgfly-agent");
        props.setProperty("tcpKeepAlive", "true");
        // The agent's own writes (pgfly's roles, re-ensured by every new primary) never wait for a
        // synchronous standby: a new primary's standbys may not stream yet, and its HA loop must go on.
        // Nor is pgfly's own session ever read-only: the full-disk guard makes every other session start
        // read-only through the configuration file, which a client's start-up option overrides.
        props.setProperty("options", "-c synchronous_commit=local -c default_transaction_read_only=off");
        tls.addTo(props);
    }

    private synchronized Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = PgLogin.connect(url, props);
            connection.setAutoCommit(true);
        }
        return connection;
    }

    /** Drops the cached connection, e.g. after PostgreSQL was restarted. */
    public synchronized void reset() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
            connection = null;
        }
    }

    public synchronized PgProbe probe() throws SQLException {
        try (Statement st = connection().createStatement()) {
            st.setQueryTimeout(5);
            try (ResultSet rs = st.executeQuery("""
                    SELECT pg_is_in_recovery(),
                           CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END,
                           pg_last_wal_receive_lsn()::text,
                           pg_last_wal_replay_lsn()::text,
                           CASE WHEN pg_is_in_recovery() THEN
                                  CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                                       ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
                                ELSE 0 END,
                           (SELECT status = 'streaming' FROM pg_stat_wal_receiver),
                           (SELECT sender_host FROM pg_stat_wal_receiver),
                           CASE WHEN pg_is_in_recovery() THEN %s
                                ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END
                    """.formatted(STANDBY_TIMELINE))) {
                rs.next();
                return new PgProbe(rs.getBoolean(1), rs.getInt(8), Lsn.parse(rs.getString(2)),
                        Lsn.parse(rs.getString(3)), Lsn.parse(rs.getString(4)), rs.getDouble(5),
                        rs.getBoolean(6), rs.getString(7));
            }
        } catch (SQLException e) {
            reset();
            throw e;
        }
    }

    public synchronized List<ReplicaInfo> replicas() throws SQLException {
        List<ReplicaInfo> result = new ArrayList<>();
        try (Statement st = connection().createStatement()) {
            st.setQueryTimeout(5);
            try (ResultSet rs = st.executeQuery(
                    "SELECT application_name, state, flush_lsn::text, replay_lsn::text, sync_state FROM pg_stat_replication")) {
                while (rs.next()) {
                    result.add(new ReplicaInfo(rs.getString(1), rs.getString(2), Lsn.parse(rs.getString(3)),
                            Lsn.parse(rs.getString(4)), rs.getString(5)));
                }
            }
        } catch (SQLException e) {
            reset();
            throw e;
        }
        return result;
    }

    /** Promotes a standby and waits until it accepts writes. */
    public synchronized boolean promote() throws SQLException {
        try (Statement st = connection().createStatement()) {
            st.setQueryTimeout(60);
            try (ResultSet rs = st.executeQuery("SELECT pg_promote(true, 60)")) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    public synchronized Set<String> replicationSlots() throws SQLException {
        Set<String> slots = new java.util.TreeSet<>();
        try (Statement st = connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'physical'")) {
            while (rs.next()) {
                slots.add(rs.getString(1));
            }
        }
        return slots;
    }

    /**
     * pgfly-visible physical slots that lost their WAL ({@code max_slot_wal_keep_size} was exceeded) and no
     * replica uses: useless to the replica they were for, which must be re-cloned.
     */
    public synchronized Set<String> lostSlots() throws SQLException {
        Set<String> slots = new java.util.TreeSet<>();
        try (Statement st = connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT slot_name FROM pg_replication_slots"
                     + " WHERE slot_type = 'physical' AND wal_status = 'lost' AND NOT active")) {
            while (rs.next()) {
                slots.add(rs.getString(1));
            }
        }
        return slots;
    }

    public synchronized void createSlot(String name) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement("SELECT pg_create_physical_replication_slot(?)")) {
            ps.setString(1, name);
            ps.execute();
        }
    }

    public synchronized void dropSlot(String name) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
            ps.setString(1, name);
            ps.execute();
        }
    }

    /** Creates or updates a login role; the password never appears in a logged statement. */
    public synchronized void ensureRole(String role, String password, String attributes) throws SQLException {
        dev.pgfly.core.util.Names.requireIdentifier("role", role);
        try (Statement st = connection().createStatement()) {
            st.execute("SET log_statement = 'none'");
            st.execute("SET log_min_duration_statement = -1");
            // A failing CREATE/ALTER ROLE would otherwise be logged with its statement, password included.
            st.execute("SET log_min_error_statement = 'panic'");
            boolean exists;
            try (PreparedStatement ps = connection().prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            String verb = exists ? "ALTER" : "CREATE";
            // A SCRAM-SHA-256 verifier computed here, never the password itself: whatever records
            // statements (pg_stat_statements, pgaudit, a log setting changed later) sees no password.
            st.execute(verb + " ROLE " + role + " WITH LOGIN " + attributes + " PASSWORD " + literal(scramVerifier(password)));
        }
    }

    /** The SCRAM-SHA-256 verifier PostgreSQL stores for {@code password} (PgJDBC's own encoder; random salt). */
    public static String scramVerifier(String password) {
        return org.postgresql.util.PasswordUtil.encodeScramSha256(password.toCharArray());
    }

    /** Makes {@code role} a member of {@code group} (both pgfly's own constants, checked as identifiers). */
    public synchronized void grantRole(String group, String role) throws SQLException {
        dev.pgfly.core.util.Names.requireIdentifier("role", group);
        dev.pgfly.core.util.Names.requireIdentifier("role", role);
        try (Statement st = connection().createStatement()) {
            st.execute("GRANT " + group + " TO " + role);
        }
    }

    /**
     * Client sessions, leaving out pgfly's own (its agent role, or an application name starting with
     * "pgfly"): what decides whether a scale-to-zero member is idle.
     */
    public synchronized int clientSessions() throws SQLException {
        try (Statement st = connection().createStatement()) {
            st.setQueryTimeout(5);
            try (ResultSet rs = st.executeQuery("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
                      AND coalesce(usename, '') NOT IN ('pgfly_agent', 'pgfly_monitor')
                      AND coalesce(application_name, '') NOT LIKE 'pgfly%'""")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    public synchronized void reload() throws SQLException {
        try (Statement st = connection().createStatement()) {
            st.execute("SELECT pg_reload_conf()");
        }
    }

    public synchronized void checkpoint() throws SQLException {
        try (Statement st = connection().createStatement()) {
            st.setQueryTimeout(120);
            st.execute("CHECKPOINT");
        }
    }

    public synchronized String setting(String name) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement("SELECT current_setting(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** A SQL string literal; only for values pgfly generated itself (passwords), never user SQL. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    @Override
    public synchronized void close() {
        reset();
    }
}
