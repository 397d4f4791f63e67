package dev.pgfly.cli.admin;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.node.admin.Attachment;
import dev.pgfly.node.admin.SqlNames;
import org.postgresql.util.PasswordUtil;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Login roles of a cluster. Passwords are turned into SCRAM-SHA-256 verifiers here, on the client,
 * so that the plain password never reaches the server (nor its logs or pg_stat_activity).
 */
public final class Users {
    public record Info(String name, boolean superuser, List<String> attributes, List<String> databases,
                       String attachedApp, boolean managedByPgfly) {
    }

    private final AdminDb db;

    public Users(AdminDb db) {
        this.db = db;
    }

    public List<Info> list() {
        List<Info> result = new ArrayList<>();
        try (Connection c = db.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT r.rolname, r.rolsuper, r.rolcanlogin, r.rolcreatedb, r.rolcreaterole, r.rolreplication,
                            r.rolbypassrls, r.rolconnlimit, pg_catalog.shobj_description(r.oid, 'pg_authid'),
                            ARRAY(SELECT d.datname FROM pg_catalog.pg_database d WHERE d.datdba = r.oid ORDER BY 1)
                     FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_' ORDER BY r.rolname""")) {
            while (rs.next()) {
                String name = rs.getString(1);
                List<String> attributes = new ArrayList<>();
                addIf(attributes, rs.getBoolean(2), "superuser");
                addIf(attributes, rs.getBoolean(3), "login");
                addIf(attributes, rs.getBoolean(4), "createdb");
                addIf(attributes, rs.getBoolean(5), "createrole");
                addIf(attributes, rs.getBoolean(6), "replication");
                addIf(attributes, rs.getBoolean(7), "bypassrls");
                addIf(attributes, rs.getInt(8) >= 0, "connlimit=" + rs.getInt(8));
                Array dbs = rs.getArray(10);
                String app = Attachment.fromComment(name, rs.getString(9)).map(Attachment::app).orElse(null);
                result.add(new Info(name, rs.getBoolean(2), attributes, Arrays.asList((String[]) dbs.getArray()), app,
                        SqlNames.PGFLY_ROLES.contains(name) || name.startsWith("pgfly_")));
            }
        } catch (SQLException e) {
            throw new CliException("cannot list users: " + AdminDb.oneLine(e));
        }
        return result;
    }

    private static void addIf(List<String> list, boolean condition, String value) {
        if (condition) {
            list.add(value);
        }
    }

    public void create(String name, boolean superuser, String password) {
        SqlNames.requireUser(name);
        try (Connection c = db.connect("postgres")) {
            create(c, name, superuser, password);
        } catch (SQLException e) {
            throw new CliException("cannot create user '" + name + "': " + AdminDb.oneLine(e));
        }
    }

    static void create(Connection c, String name, boolean superuser, String password) throws SQLException {
        if (exists(c, name)) {
            throw new CliException("user '" + name + "' already exists");
        }
        try (Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + SqlNames.quote(name) + " WITH LOGIN" + (superuser ? " SUPERUSER" : "")
                    + " PASSWORD " + SqlNames.literal(verifier(password)));
        }
    }

    public void setPassword(String name, String password) {
        SqlNames.requireUser(name);
        try (Connection c = db.connect("postgres")) {
            requireExists(c, name);
            try (Statement st = c.createStatement()) {
                st.execute("ALTER ROLE " + SqlNames.quote(name) + " WITH PASSWORD " + SqlNames.literal(verifier(password)));
            }
        } catch (SQLException e) {
            throw new CliException("cannot change the password of '" + name + "': " + AdminDb.oneLine(e));
        }
    }

    /** Drops a user that owns nothing; a user attached to an app is detached instead. */
    public void drop(String name) {
        SqlNames.requireUser(name);
        try (Connection c = db.connect("postgres")) {
            requireExists(c, name);
            String app = attachedApp(c, name);
            if (app != null) {
                throw new CliException("user '" + name + "' belongs to app '" + app + "': use 'pgfly detach "
                        + db.cluster() + " --app " + app + "'");
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP ROLE " + SqlNames.quote(name));
            }
        } catch (SQLException e) {
            throw new CliException("cannot drop user '" + name + "': " + AdminDb.oneLine(e)
                    + " (reassign or drop what it owns first)");
        }
    }

    static String attachedApp(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_catalog.shobj_description(oid, 'pg_authid') FROM pg_catalog.pg_roles WHERE rolname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Attachment.fromComment(name, rs.getString(1)).map(Attachment::app).orElse(null) : null;
            }
        }
    }

    static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void requireExists(Connection c, String name) throws SQLException {
        if (!exists(c, name)) {
            throw new CliException("no user named '" + name + "'");
        }
    }

    /** The SCRAM-SHA-256 verifier of a password: base64, '$' and ':' only, safe in a literal. */
    static String verifier(String password) {
        if (password == null || password.isEmpty()) {
            throw new CliException("the password is empty");
        }
        if (password.indexOf('\0') >= 0) {
            throw new CliException("a password cannot contain a NUL character");
        }
        return PasswordUtil.encodeScramSha256(password.toCharArray());
    }
}
