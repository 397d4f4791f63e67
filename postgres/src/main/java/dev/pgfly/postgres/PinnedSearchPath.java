package dev.pgfly.postgres;

import java.util.Properties;

/**
 * Every session pgfly opens resolves names in {@code pg_catalog} only (issue 18, hole 6).
 *
 * <p>A database's or a role's {@code search_path} default can be changed by whoever owns the database
 * (an attached app once could own {@code postgres}) or by a superuser's mistake. With {@code public}
 * ahead of {@code pg_catalog}, a function or operator planted there with the same name and argument
 * types as a built-in one ({@code public.shobj_description(oid, name)}) runs instead of it, as the
 * superuser pgfly connects as: an app made itself superuser through an ordinary {@code pgfly users list}.
 *
 * <p>The path is pinned at connection start, as a startup option ({@code options=-c search_path=...}):
 * a client's startup option outranks {@code ALTER DATABASE/ROLE ... SET}, and it is in force before the
 * first statement, the driver's own included. {@code pg_temp} is named last so that temporary objects
 * never come first (PostgreSQL never looks for functions or operators there).
 */
public final class PinnedSearchPath {
    /** The path pgfly's sessions use. */
    public static final String PATH = "pg_catalog, pg_temp";
    /** The startup option setting it (PgJDBC's {@code options} property, libpq's PGOPTIONS). */
    public static final String OPTION = "-c search_path=pg_catalog,pg_temp";
    /** The same as a statement, for sessions opened by other clients (psql on a script). */
    public static final String SET = "SET search_path = " + PATH;

    private PinnedSearchPath() {
    }

    /** Adds the option to PgJDBC connection properties, keeping any other startup option already there. */
    public static Properties pin(Properties props) {
        String options = props.getProperty("options");
        props.setProperty("options", options == null || options.isBlank() ? OPTION : options + " " + OPTION);
        return props;
    }
}
