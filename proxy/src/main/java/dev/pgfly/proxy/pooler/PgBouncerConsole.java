package dev.pgfly.proxy.pooler;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * PgBouncer's admin console (the virtual {@code pgbouncer} database) through PgJDBC in simple-query mode,
 * as the pooler's console-only admin user (it exists in PgBouncer's auth file only, not in PostgreSQL).
 * One connection per command: commands are rare, and a PAUSE that waits must not hold up a RESUME.
 */
public final class PgBouncerConsole {
    private final String url;
    private final Properties props;

    public PgBouncerConsole(String host, int port, String user, String password) {
        this.url = "jdbc:postgresql://" + host + ":" + port + "/pgbouncer";
        this.props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        // The console speaks the simple query protocol only.
        props.setProperty("preferQueryMode", "simple");
        props.setProperty("sslmode", "disable");
        props.setProperty("connectTimeout", "5");
        props.setProperty("ApplicationName", "pgfly-proxy");
        props.setProperty("assumeMinServerVersion", "9.0");
    }

    /** Waits until no server connection is in use (transactions in flight finish), then holds clients. */
    public void pause() throws SQLException {
        run("PAUSE", 0);
    }

    public void resume() throws SQLException {
        run("RESUME", 10);
    }

    /** The rows of {@code SHOW what} (POOLS, STATS), each column by name as text. */
    public List<Map<String, String>> show(String what) throws SQLException {
        try (Connection c = connect(5); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW " + what)) {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, String>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private void run(String command, int timeoutSeconds) throws SQLException {
        try (Connection c = connect(timeoutSeconds); Statement st = c.createStatement()) {
            st.execute(command);
        }
    }

    private Connection connect(int socketTimeoutSeconds) throws SQLException {
        Properties p = new Properties();
        p.putAll(props);
        p.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        return DriverManager.getConnection(url, p);
    }
}
