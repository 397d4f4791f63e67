package dev.pgfly.testkit;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** JDBC connections from a pgfly URL (postgres://user:password@host:port/db). */
public final class Db {
    private Db() {
    }

    public static Connection connect(String url) throws SQLException {
        return connect(url, 5);
    }

    public static Connection connect(String url, int timeoutSeconds) throws SQLException {
        if (url.substring(url.indexOf('@') + 1).split("/", 2)[0].contains(",")) {
            return connectMultiHost(url, timeoutSeconds);
        }
        return connect(url, timeoutSeconds, new Properties());
    }

    /**
     * A one-host URL with PgJDBC properties of the caller's on top of (or instead of) the defaults, e.g.
     * {@code prepareThreshold=0} for a transaction pooler.
     */
    public static Connection connect(String url, int timeoutSeconds, Properties extra) throws SQLException {
        URI u = URI.create(url);
        String[] userInfo = u.getUserInfo().split(":", 2);
        Properties p = new Properties();
        p.setProperty("user", userInfo[0]);
        p.setProperty("password", userInfo[1]);
        p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("socketTimeout", "30");
        p.putAll(extra);
        return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), p);
    }

    /**
     * A multi-host URL ({@code postgres://u:p@h1:p1,h2:p2/db?target_session_attrs=read-write}), as PgJDBC
     * takes it: the hosts in turn, and with read-write only one that leads to a primary.
     */
    private static Connection connectMultiHost(String url, int timeoutSeconds) throws SQLException {
        String rest = url.substring(url.indexOf("://") + 3);
        int at = rest.lastIndexOf('@');
        String[] userInfo = rest.substring(0, at).split(":", 2);
        String afterAt = rest.substring(at + 1);
        int slash = afterAt.indexOf('/');
        String hosts = afterAt.substring(0, slash);
        String pathAndQuery = afterAt.substring(slash + 1);
        String db = pathAndQuery.split("\\?", 2)[0];
        Properties p = new Properties();
        p.setProperty("user", java.net.URLDecoder.decode(userInfo[0], java.nio.charset.StandardCharsets.UTF_8));
        p.setProperty("password", java.net.URLDecoder.decode(userInfo[1], java.nio.charset.StandardCharsets.UTF_8));
        p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        // A host cut off answers nothing, not even a reset: a connection to it fails only by timing out. A
        // client of several hosts bounds that wait (libpq: tcp_user_timeout), or it waits out TCP's minutes.
        p.setProperty("socketTimeout", "5");
        if (pathAndQuery.contains("target_session_attrs=read-write")) {
            p.setProperty("targetServerType", "primary");
        }
        return DriverManager.getConnection("jdbc:postgresql://" + hosts + "/" + db, p);
    }

    public static Connection direct(String host, int port, String password, int timeoutSeconds, String localAddress)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("socketTimeout", Integer.toString(timeoutSeconds));
        if (localAddress != null) {
            p.setProperty("localSocketAddress", localAddress);
        }
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", p);
    }
}
