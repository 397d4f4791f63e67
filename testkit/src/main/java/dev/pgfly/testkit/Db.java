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
        URI u = URI.create(url);
        String[] userInfo = u.getUserInfo().split(":", 2);
        Properties p = new Properties();
        p.setProperty("user", userInfo[0]);
        p.setProperty("password", userInfo[1]);
        p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("socketTimeout", "30");
        return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), p);
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
