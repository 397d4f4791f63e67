package dev.pgfly.cli.admin;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.postgres.PgConfig;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Superuser sessions to a cluster through its proxy (so always on the current primary), for the
 * administration commands. Each session turns statement logging off, so that no statement carrying
 * a password verifier lands in the server log, and makes string literals standard.
 *
 * @param sslRootCert with TLS, the cluster's CA: sessions verify the server (verify-full); null without
 */
public record AdminDb(String cluster, String host, int port, String password, String sslRootCert) {

    public AdminDb(String cluster, String host, int port, String password) {
        this(cluster, host, port, password, null);
    }

    /**
     * From the cluster's superuser URL through the proxy: postgres://postgres:PASSWORD@HOST:PORT/DB, with
     * {@code ?sslmode=verify-full&sslrootcert=FILE} for a TLS cluster.
     */
    public static AdminDb fromUrl(String cluster, String url) {
        URI u = URI.create(url);
        String[] userInfo = u.getUserInfo().split(":", 2);
        String rootCert = null;
        if (u.getQuery() != null) {
            for (String pair : u.getQuery().split("&")) {
                if (pair.startsWith("sslrootcert=")) {
                    rootCert = pair.substring("sslrootcert=".length());
                }
            }
        }
        return new AdminDb(cluster, u.getHost(), u.getPort(), userInfo[1], rootCert);
    }

    /** libpq's TLS environment for tools run against the cluster (pg_restore): verify-full with TLS. */
    public java.util.Map<String, String> libpqTlsEnv() {
        return sslRootCert == null ? java.util.Map.of("PGSSLMODE", "prefer")
                : java.util.Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", sslRootCert);
    }

    public Connection connect(String database) {
        Properties p = new Properties();
        p.setProperty("user", PgConfig.SUPERUSER);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        p.setProperty("ApplicationName", "pgfly-admin");
        // Names resolve in pg_catalog only, whatever search_path the database or a role was given.
        dev.pgfly.postgres.PinnedSearchPath.pin(p);
        if (sslRootCert != null) {
            p.setProperty("sslmode", "verify-full");
            p.setProperty("sslrootcert", sslRootCert);
        }
        try {
            Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, p);
            try (Statement st = c.createStatement()) {
                st.execute("SET standard_conforming_strings = on");
                st.execute("SET log_statement = 'none'");
                st.execute("SET log_min_duration_statement = -1");
            }
            return c;
        } catch (SQLException e) {
            throw new CliException("cannot connect to cluster '" + cluster + "' through its proxy (" + host + ":" + port
                    + "): " + oneLine(e));
        }
    }

    /** A URL through the proxy for another user and database. */
    public String urlFor(String user, String userPassword, String database) {
        return "postgres://" + user + ":" + userPassword + "@" + host + ":" + port + "/" + database;
    }

    /** PostgreSQL's message, without the driver's extra lines. */
    public static String oneLine(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).replaceFirst("^ERROR: ", "");
    }
}
