package dev.pgfly.cli.admin;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.node.admin.SqlNames;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Databases of a cluster: list, create, drop. Names are validated before any SQL and always quoted. */
public final class Databases {
    public record Info(String name, String owner, long sizeBytes, String size, String encoding, String attachedApp) {
    }

    private final AdminDb db;

    public Databases(AdminDb db) {
        this.db = db;
    }

    public List<Info> list() {
        List<Attachments.Record> attachments = new Attachments(db).all();
        List<Info> result = new ArrayList<>();
        try (Connection c = db.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba), pg_catalog.pg_database_size(d.oid),
                            pg_catalog.pg_size_pretty(pg_catalog.pg_database_size(d.oid)), pg_catalog.pg_encoding_to_char(d.encoding)
                     FROM pg_catalog.pg_database d WHERE NOT d.datistemplate ORDER BY d.datname""")) {
            while (rs.next()) {
                String name = rs.getString(1);
                String app = attachments.stream().filter(a -> a.database().equals(name)).map(Attachments.Record::app)
                        .findFirst().orElse(null);
                result.add(new Info(name, rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), app));
            }
        } catch (SQLException e) {
            throw new CliException("cannot list databases: " + AdminDb.oneLine(e));
        }
        return result;
    }

    public void create(String name, String owner) {
        SqlNames.requireDatabase(name);
        if (owner != null) {
            SqlNames.requireOwnableDatabase(name);
        }
        try (Connection c = db.connect("postgres")) {
            if (exists(c, name)) {
                throw new CliException("database '" + name + "' already exists");
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + SqlNames.quote(name) + (owner == null ? "" : " OWNER " + SqlNames.quote(owner)));
            }
        } catch (SQLException e) {
            throw new CliException("cannot create database '" + name + "': " + AdminDb.oneLine(e));
        }
    }

    public void drop(String name) {
        SqlNames.requireDroppableDatabase(name);
        Optional<Attachments.Record> attached = new Attachments(db).all().stream()
                .filter(a -> a.database().equals(name)).findFirst();
        if (attached.isPresent()) {
            throw new CliException("database '" + name + "' is attached to app '" + attached.get().app()
                    + "': use 'pgfly detach " + db.cluster() + " --app " + attached.get().app() + " --drop-database'");
        }
        try (Connection c = db.connect("postgres")) {
            if (!exists(c, name)) {
                throw new CliException("no database named '" + name + "'");
            }
            try (Statement st = c.createStatement()) {
                // FORCE ends the database's sessions first: --yes was given.
                st.execute("DROP DATABASE " + SqlNames.quote(name) + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            throw new CliException("cannot drop database '" + name + "': " + AdminDb.oneLine(e));
        }
    }

    static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
