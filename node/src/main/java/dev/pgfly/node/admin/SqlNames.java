package dev.pgfly.node.admin;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names of databases, roles and apps that users give to the administration commands. Only a
 * conservative subset of SQL identifiers is accepted (lowercase letters, digits and '_'), so that a
 * name means the same thing quoted or not, in SQL, in a URL and in a shell; and it is still quoted
 * wherever it reaches SQL. Every refusal names the problem in one line.
 */
public final class SqlNames {
    /** PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes: refuse them instead. */
    public static final int MAX_LENGTH = 63;
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern APP = Pattern.compile("[a-z][a-z0-9_-]*");

    /** Roles pgfly itself needs: never altered or dropped by the administration commands. */
    public static final Set<String> PGFLY_ROLES = Set.of("postgres", "pgfly_replicator", "pgfly_agent");
    /** Databases that must stay: the maintenance database and the templates. */
    public static final Set<String> SYSTEM_DATABASES = Set.of("postgres", "template0", "template1");

    private SqlNames() {
    }

    public static String requireDatabase(String name) {
        return requireIdentifier("database", name);
    }

    /** A role name a user may create, change or drop: not one of pgfly's, not in a reserved namespace. */
    public static String requireUser(String name) {
        requireIdentifier("user", name);
        if (PGFLY_ROLES.contains(name) || name.startsWith("pgfly_")) {
            throw new IllegalArgumentException("user '" + name + "' is managed by pgfly and cannot be created, "
                    + "changed or dropped with this command");
        }
        if (name.startsWith("pg_")) {
            throw new IllegalArgumentException("invalid user name '" + name + "': names starting with pg_ are "
                    + "reserved by PostgreSQL");
        }
        return name;
    }

    /** A database a user may drop. */
    public static String requireDroppableDatabase(String name) {
        requireDatabase(name);
        if (SYSTEM_DATABASES.contains(name)) {
            throw new IllegalArgumentException("database '" + name + "' is needed by PostgreSQL and pgfly and "
                    + "cannot be dropped");
        }
        return name;
    }

    /**
     * A database a user other than the superuser may own (attach, db create --owner): never a system
     * database. The owner of {@code postgres} or a template can set its search_path and plant
     * functions there that pgfly's own superuser sessions, and every database created from a template,
     * would run (issue 18, hole 6: an app made itself superuser this way).
     */
    public static String requireOwnableDatabase(String name) {
        requireDatabase(name);
        if (SYSTEM_DATABASES.contains(name)) {
            throw new IllegalArgumentException("database '" + name + "' is a system database (PostgreSQL's"
                    + " maintenance database or a template) and cannot belong to an app or user: give it its own"
                    + " database");
        }
        return name;
    }

    /** An application's name, as in {@code attach --app}: like a host name, '-' and '_' allowed. */
    public static String requireApp(String name) {
        checkLength("app", name);
        if (!APP.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid app name " + shown(name) + ": use a lowercase letter "
                    + "followed by lowercase letters, digits, '-' or '_'");
        }
        return name;
    }

    /** The database and user names an app gets unless told otherwise: its name with '-' as '_'. */
    public static String defaultForApp(String app) {
        return requireApp(app).replace('-', '_');
    }

    public static String requireIdentifier(String kind, String name) {
        checkLength(kind, name);
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid " + kind + " name " + shown(name) + ": use lowercase "
                    + "letters, digits and '_', starting with a letter or '_'");
        }
        return name;
    }

    private static void checkLength(String kind, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("invalid " + kind + " name: it is empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw new IllegalArgumentException("invalid " + kind + " name " + shown(name) + ": longer than "
                    + MAX_LENGTH + " bytes");
        }
    }

    /** A double-quoted SQL identifier. Names are validated first; quoting is the second line of defence. */
    public static String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a name cannot contain a NUL character");
        }
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * A SQL string literal, for the few statements that take no parameters (COMMENT ON, CREATE ROLE
     * ... PASSWORD). Assumes standard_conforming_strings = on, which the caller sets for its session.
     */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a value cannot contain a NUL character");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    /** A name as shown in an error message: quoted, control characters escaped, long ones cut, one line. */
    public static String shown(String name) {
        StringBuilder sb = new StringBuilder("'");
        name.codePoints().limit(40).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                sb.append(String.format("\\x%02x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        if (name.codePointCount(0, name.length()) > 40) {
            sb.append("...");
        }
        return sb.append("'").toString();
    }
}
