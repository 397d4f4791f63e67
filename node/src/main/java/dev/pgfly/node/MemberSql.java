package dev.pgfly.node;

import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.node.admin.SettingSpec;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgLogin;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Short superuser sessions to one member directly (not through the proxy): what that member has in force. */
final class MemberSql implements AutoCloseable {
    private final Connection connection;

    private MemberSql(Connection connection) {
        this.connection = connection;
    }

    static MemberSql open(MemberSpec member, String superuserPassword, dev.pgfly.postgres.PgTls tls) throws SQLException {
        Properties p = PgLogin.properties(PgConfig.SUPERUSER, superuserPassword);
        p.setProperty("connectTimeout", "3");
        p.setProperty("socketTimeout", "10");
        p.setProperty("ApplicationName", "pgfly-daemon");
        tls.addTo(p);
        return new MemberSql(PgLogin.connect(
                "jdbc:postgresql://" + member.host() + ":" + member.pgPort() + "/postgres", p));
    }

    /** pg_settings rows of the given settings, with SHOW's rendering of the value. */
    Map<String, Row> settings(Collection<String> names) throws SQLException {
        Map<String, Row> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("""
                SELECT name, vartype, unit, min_val, max_val, enumvals, context, setting, pending_restart,
                       pg_catalog.current_setting(name)
                FROM pg_catalog.pg_settings WHERE name = ANY(?) ORDER BY name""")) {
            ps.setArray(1, connection.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array enums = rs.getArray(6);
                    SettingSpec spec = new SettingSpec(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5),
                            enums == null ? List.of() : Arrays.asList((String[]) enums.getArray()),
                            rs.getString(7), rs.getString(8), rs.getBoolean(9));
                    rows.put(spec.name(), new Row(spec, rs.getString(10)));
                }
            }
        }
        return rows;
    }

    record Row(SettingSpec spec, String shown) {
    }

    /**
     * Ends the current WAL segment so that it can be archived, and names the last segment that holds WAL
     * written so far (with nothing written since the last switch, the one that switch ended).
     */
    String switchWal() throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_walfile_name(pg_catalog.pg_switch_wal())")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Names of the settings changed in the configuration files that take effect only at a restart. */
    List<String> pendingRestart() throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT name FROM pg_catalog.pg_settings WHERE pending_restart ORDER BY name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /**
     * Settings whose value in the configuration files is lower than the value in force (integers
     * only): the last line for a name in pg_file_settings is the one that will apply.
     */
    List<String> loweredIntegers(Collection<String> names) throws SQLException {
        List<String> lowered = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("""
                SELECT f.name FROM (SELECT DISTINCT ON (name) name, setting FROM pg_catalog.pg_file_settings
                                    WHERE name = ANY(?) AND error IS NULL ORDER BY name, seqno DESC) f
                JOIN pg_catalog.pg_settings s ON s.name = f.name
                WHERE f.setting ~ '^[0-9]+$' AND f.setting::bigint < s.setting::bigint""")) {
            ps.setArray(1, connection.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lowered.add(rs.getString(1));
                }
            }
        }
        return lowered;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a session that broke
        }
    }
}
