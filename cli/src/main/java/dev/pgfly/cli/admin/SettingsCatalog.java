package dev.pgfly.cli.admin;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.node.admin.SettingSpec;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The running primary's pg_settings, the model {@code config update} validates against. */
public final class SettingsCatalog {
    private static final Pattern LIBRARY = Pattern.compile("(\\$libdir/)?[A-Za-z0-9_.-]+");

    private SettingsCatalog() {
    }

    public static Map<String, SettingSpec> read(AdminDb db) {
        Map<String, SettingSpec> known = new TreeMap<>();
        try (Connection c = db.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT name, vartype, unit, min_val, max_val, enumvals, context, setting, pending_restart
                     FROM pg_catalog.pg_settings""")) {
            while (rs.next()) {
                Array enums = rs.getArray(6);
                known.put(rs.getString(1), new SettingSpec(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), enums == null ? List.of() : Arrays.asList((String[]) enums.getArray()),
                        rs.getString(7), rs.getString(8), rs.getBoolean(9)));
            }
        } catch (SQLException e) {
            throw new CliException("cannot read the server's settings: " + AdminDb.oneLine(e));
        }
        return known;
    }

    /**
     * shared_preload_libraries is a plain string to pg_settings, but a library that does not exist
     * stops PostgreSQL from starting: each one is loaded once into this session to prove it exists.
     */
    public static void checkLibraries(AdminDb db, String list) {
        if (list.isBlank()) {
            return;
        }
        try (Connection c = db.connect("postgres"); Statement st = c.createStatement()) {
            for (String raw : list.split(",")) {
                String lib = raw.strip().replaceAll("^\"|\"$", "");
                if (!LIBRARY.matcher(lib).matches()) {
                    throw new CliException("invalid library name '" + lib + "' in shared_preload_libraries");
                }
                try {
                    st.execute("LOAD '" + lib + "'");
                } catch (SQLException e) {
                    throw new CliException("shared_preload_libraries: library '" + lib + "' cannot be loaded ("
                            + AdminDb.oneLine(e) + "); PostgreSQL would not start with it");
                }
            }
        } catch (SQLException e) {
            throw new CliException("cannot check shared_preload_libraries: " + AdminDb.oneLine(e));
        }
    }
}
