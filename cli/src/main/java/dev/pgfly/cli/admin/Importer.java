package dev.pgfly.cli.admin;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.node.admin.SqlNames;
import dev.pgfly.postgres.PgBinaries;
import dev.pgfly.postgres.PgConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Copies a database from another PostgreSQL server into a cluster: pg_dump in directory format
 * (parallel with --jobs) into a private temporary directory, then pg_restore (parallel too) through
 * the cluster's proxy, as the superuser, with objects owned by the target database's owner. A
 * target database that is not empty is refused unless --clean (which drops what the dump
 * recreates). Progress is counted from the tools' verbose output, table by table.
 */
public final class Importer {
    private final AdminDb target;
    private final PgBinaries bin;
    private final PrintStream out;

    public Importer(AdminDb target, PgBinaries bin, PrintStream out) {
        this.target = target;
        this.bin = bin;
        this.out = out;
    }

    public record Summary(String database, int tables, long millis) {
    }

    public Summary run(ImportSource source, String database, boolean clean, int jobs) throws IOException {
        SqlNames.requireDatabase(database);
        if (jobs < 1 || jobs > 64) {
            throw new CliException("--jobs must be between 1 and 64");
        }
        long started = System.currentTimeMillis();
        // Checked before the dump, created after it: a failed dump leaves the cluster unchanged.
        String owner = checkTarget(database, clean);
        Path work = Files.createTempDirectory("pgfly-import-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        try {
            Path dump = work.resolve("dump");
            out.println("Dumping " + source.display() + " with " + jobs + " job(s)...");
            int[] dumped = {0};
            run("pg_dump", List.of(bin.tool("pg_dump"), "--format=directory", "--jobs=" + jobs, "--file=" + dump,
                    "--verbose"), source.libpqEnv(), line -> {
                if (line.contains("dumping contents of table")) {
                    progress("dump", ++dumped[0], -1, tableOf(line));
                }
            });
            int tables = countTableData(dump);
            if (owner == null) {
                createDatabase(database);
                owner = PgConfig.SUPERUSER;
            }
            out.println("Restoring into " + database + " (" + tables + " tables) through the proxy...");
            List<String> restore = new ArrayList<>(List.of(bin.tool("pg_restore"), "--format=directory",
                    "--jobs=" + jobs, "--no-owner", "--no-privileges", "--exit-on-error", "--verbose"));
            if (clean) {
                restore.addAll(List.of("--clean", "--if-exists"));
            }
            if (!owner.equals(PgConfig.SUPERUSER)) {
                restore.add("--role=" + owner);
            }
            // The name is a validated identifier; host, user and password come from the environment.
            restore.add("--dbname=" + database);
            restore.add(dump.toString());
            int[] restored = {0};
            Map<String, String> env = new java.util.LinkedHashMap<>(Map.of("PGHOST", target.host(),
                    "PGPORT", Integer.toString(target.port()), "PGUSER", PgConfig.SUPERUSER, "PGPASSWORD", target.password(),
                    "PGDATABASE", database));
            env.putAll(target.libpqTlsEnv());
            run("pg_restore", restore, env, line -> {
                if (line.contains("processing data for table")) {
                    progress("restore", ++restored[0], tables, tableOf(line));
                }
            });
            return new Summary(database, tables, System.currentTimeMillis() - started);
        } finally {
            FileTrees.delete(work);
        }
    }

    /** The owner of the target database, or null when it does not exist yet; refuses one with contents unless --clean. */
    private String checkTarget(String database, boolean clean) {
        try (Connection c = target.connect("postgres")) {
            if (!Databases.exists(c, database)) {
                return null;
            }
        } catch (SQLException e) {
            throw new CliException("cannot check database '" + database + "': " + AdminDb.oneLine(e));
        }
        try (Connection c = target.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                               AND n.nspname !~ '^pg_(toast|temp)')
                          + (SELECT pg_catalog.count(*) FROM pg_catalog.pg_namespace
                             WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema')
                               AND nspname !~ '^pg_(toast|temp)')
                          + (SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')),
                            pg_catalog.pg_get_userbyid((SELECT datdba FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()))""")) {
            rs.next();
            long objects = rs.getLong(1);
            if (objects > 0 && !clean) {
                throw new CliException("database '" + database + "' in cluster '" + target.cluster() + "' is not empty ("
                        + objects + " objects): import into another with --database, or replace what the dump "
                        + "contains with --clean");
            }
            return rs.getString(2);
        } catch (SQLException e) {
            throw new CliException("cannot inspect database '" + database + "': " + AdminDb.oneLine(e));
        }
    }

    private void createDatabase(String database) {
        try (Connection c = target.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + SqlNames.quote(database));
        } catch (SQLException e) {
            throw new CliException("cannot create database '" + database + "': " + AdminDb.oneLine(e));
        }
    }

    private int countTableData(Path dump) {
        var listing = dev.pgfly.postgres.Command.run(List.of(bin.tool("pg_restore"), "--list", dump.toString()), Map.of(),
                java.time.Duration.ofMinutes(2));
        if (!listing.ok()) {
            throw new CliException("cannot read the dump: " + listing.lastLine());
        }
        return (int) listing.output().lines().filter(l -> !l.startsWith(";") && l.contains(" TABLE DATA ")).count();
    }

    /** Runs a tool, feeding its output lines to {@code onLine}; fails with the tool's last words. */
    private void run(String tool, List<String> argv, Map<String, String> env, Consumer<String> onLine) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                onLine.accept(line);
                if (line.contains("error") || line.contains("FATAL") || tail.isEmpty()) {
                    tail.addLast(line);
                    if (tail.size() > 3) {
                        tail.removeFirst();
                    }
                }
            }
        }
        try {
            int exit = p.waitFor();
            endProgress();
            if (exit != 0) {
                throw new CliException(tool + " failed: " + (tail.isEmpty() ? "exit code " + exit : tail.peekLast().strip()));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CliException(tool + " interrupted");
        }
    }

    private boolean progressShown;

    private void progress(String phase, int done, int total, String table) {
        String text = "  " + phase + ": " + done + (total > 0 ? "/" + total : "") + " tables (" + table + ")";
        if (System.console() != null) {
            out.print("\r" + text + "\033[K");
            progressShown = true;
        } else {
            out.println(text);
        }
    }

    private void endProgress() {
        if (progressShown) {
            out.println();
            progressShown = false;
        }
    }

    private static String tableOf(String line) {
        int q = line.indexOf('"');
        return q >= 0 ? line.substring(q).replace("\"", "") : line;
    }

}
