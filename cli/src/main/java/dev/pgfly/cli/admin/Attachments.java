package dev.pgfly.cli.admin;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.admin.Attachment;
import dev.pgfly.node.admin.SqlNames;
import dev.pgfly.postgres.PgConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Apps attached to a cluster: each gets a login role with a generated password and a database the
 * role owns. The attachment is recorded as the role's comment ({@link Attachment}), in the database
 * itself: replicated, backed up, and gone with the role.
 */
public final class Attachments {
    public record Record(String app, String user, String database) {
    }

    private final AdminDb db;

    public Attachments(AdminDb db) {
        this.db = db;
    }

    public List<Record> all() {
        List<Record> result = new ArrayList<>();
        try (Connection c = db.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT rolname, pg_catalog.shobj_description(oid, 'pg_authid') FROM pg_catalog.pg_roles
                     WHERE pg_catalog.shobj_description(oid, 'pg_authid') LIKE 'pgfly attachment:%' ORDER BY rolname""")) {
            while (rs.next()) {
                Attachment.fromComment(rs.getString(1), rs.getString(2))
                        .ifPresent(a -> result.add(new Record(a.app(), a.user(), a.database())));
            }
        } catch (SQLException e) {
            throw new CliException("cannot read attachments: " + AdminDb.oneLine(e));
        }
        return result;
    }

    public Optional<Record> of(String app) {
        return all().stream().filter(a -> a.app().equals(app)).findFirst();
    }

    /** Creates the user (and the database unless it exists) and returns the app's DATABASE_URL. */
    public String attach(Attachment a) {
        // Checked here, where the request is carried out, whoever builds it.
        SqlNames.requireOwnableDatabase(a.database());
        Optional<Record> existing = of(a.app());
        if (existing.isPresent()) {
            throw new CliException("app '" + a.app() + "' is already attached to cluster '" + db.cluster() + "' (user "
                    + existing.get().user() + ", database " + existing.get().database() + "): detach it first");
        }
        String password = Secrets.random(24);
        boolean databaseExisted;
        try (Connection c = db.connect("postgres")) {
            if (Users.exists(c, a.user())) {
                throw new CliException("user '" + a.user() + "' already exists: choose another with --user");
            }
            databaseExisted = Databases.exists(c, a.database());
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                Users.create(c, a.user(), false, password);
                st.execute("COMMENT ON ROLE " + SqlNames.quote(a.user()) + " IS " + SqlNames.literal(a.comment()));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                if (databaseExisted) {
                    st.execute("ALTER DATABASE " + SqlNames.quote(a.database()) + " OWNER TO " + SqlNames.quote(a.user()));
                } else {
                    st.execute("CREATE DATABASE " + SqlNames.quote(a.database()) + " OWNER " + SqlNames.quote(a.user()));
                }
            } catch (SQLException e) {
                // Without its database the user is of no use: take it back.
                try (Statement st = c.createStatement()) {
                    st.execute("DROP ROLE " + SqlNames.quote(a.user()));
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new CliException("cannot attach app '" + a.app() + "': " + AdminDb.oneLine(e));
        }
        if (databaseExisted) {
            grantExistingObjects(a);
        }
        return db.urlFor(a.user(), password, a.database());
    }

    /** A database kept from an earlier attachment: its tables belong to postgres now; the new user gets them. */
    private void grantExistingObjects(Attachment a) {
        try (Connection c = db.connect(a.database()); Statement st = c.createStatement()) {
            String user = SqlNames.quote(a.user());
            st.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO " + user);
            st.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + user);
        } catch (SQLException e) {
            throw new CliException("attached, but could not grant the existing tables of '" + a.database() + "': "
                    + AdminDb.oneLine(e));
        }
    }

    /**
     * Revokes the app's access and drops its user: no new logins first, then its sessions ended, then
     * what it owns handed to postgres (or the database dropped), then the role dropped.
     */
    public Record detach(String app, boolean dropDatabase) {
        SqlNames.requireApp(app);
        Record a = of(app).orElseThrow(() -> new CliException("app '" + app + "' is not attached to cluster '"
                + db.cluster() + "'"));
        if (dropDatabase) {
            // An attachment recorded before system databases were refused gives its database back, never drops it.
            SqlNames.requireDroppableDatabase(a.database());
        }
        String user = SqlNames.quote(a.user());
        try (Connection c = db.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + user + " NOLOGIN");
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = ?")) {
                ps.setString(1, a.user());
                ps.execute();
            }
            if (dropDatabase) {
                st.execute("DROP DATABASE IF EXISTS " + SqlNames.quote(a.database()) + " WITH (FORCE)");
            } else if (Databases.exists(c, a.database())) {
                st.execute("ALTER DATABASE " + SqlNames.quote(a.database()) + " OWNER TO " + PgConfig.SUPERUSER);
                try (Connection inDb = db.connect(a.database()); Statement s2 = inDb.createStatement()) {
                    s2.execute("REASSIGN OWNED BY " + user + " TO " + PgConfig.SUPERUSER);
                    s2.execute("DROP OWNED BY " + user);
                }
            }
            st.execute("REASSIGN OWNED BY " + user + " TO " + PgConfig.SUPERUSER);
            st.execute("DROP OWNED BY " + user);
            st.execute("DROP ROLE " + user);
        } catch (SQLException e) {
            throw new CliException("cannot detach app '" + app + "': " + AdminDb.oneLine(e));
        }
        return a;
    }
}
