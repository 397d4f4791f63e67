package dev.pgfly.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * The one way pgfly's own code opens a PostgreSQL connection with a password (the agent, the daemon,
 * the CLI's admin commands, metrics): whatever else the caller sets, the password goes only into a
 * SCRAM exchange ({@link ScramOnlyPassword}), never to a server asking for it in cleartext or md5, and
 * the session resolves names in {@code pg_catalog} only ({@link PinnedSearchPath}).
 *
 * <p>Channel binding is not required on top: with TLS on, pgfly's clients already verify the server's
 * certificate against the cluster's own CA for the address they dialled ({@code sslmode=verify-full})
 * before any authentication message, which a squatter cannot pass.
 */
public final class PgLogin {
    private static final String PLUGIN = "authenticationPluginClassName";

    private PgLogin() {
    }

    /** Connection properties for {@code user} with {@code password}, to which callers add their own. */
    public static Properties properties(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty(PLUGIN, ScramOnlyPassword.class.getName());
        return p;
    }

    /**
     * Opens {@code url} with {@code props}, the SCRAM-only password source set and the search path pinned
     * whatever the caller set.
     */
    public static Connection connect(String url, Properties props) throws SQLException {
        Properties p = new Properties();
        p.putAll(props);
        p.setProperty(PLUGIN, ScramOnlyPassword.class.getName());
        if (!p.getProperty("options", "").contains(PinnedSearchPath.OPTION)) {
            PinnedSearchPath.pin(p);
        }
        return DriverManager.getConnection(url, p);
    }

    /** {@link ScramOnlyPassword}'s refusal of a non-SCRAM request when that is what {@code e} (or a cause) is. */
    public static Optional<String> refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().startsWith(ScramOnlyPassword.REFUSAL)) {
                return Optional.of(t.getMessage().lines().findFirst().orElse(""));
            }
        }
        return Optional.empty();
    }
}
