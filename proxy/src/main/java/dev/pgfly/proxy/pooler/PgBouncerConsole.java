package dev.pgfly.proxy.pooler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PgBouncer's admin console (the virtual {@code pgbouncer} database), as the pooler's console-only admin user
 * (it exists in PgBouncer's auth file only, not in PostgreSQL), through {@code psql}: PgJDBC cannot log in to
 * PgBouncer 1.18's console (it sends {@code SET extra_float_digits}, which the console refuses: pgbouncer
 * issue #1509, fixed upstream after 1.25). One psql per command: commands are rare, and a PAUSE that waits
 * must not hold up a RESUME. The password goes in psql's environment, never on its command line.
 */
public final class PgBouncerConsole {
    private static final List<Path> PSQL = List.of(Path.of("/usr/bin/psql"), Path.of("/usr/lib/postgresql/15/bin/psql"),
            Path.of("/usr/lib/postgresql/16/bin/psql"), Path.of("/usr/lib/postgresql/17/bin/psql"));

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Path caFile;

    public PgBouncerConsole(String host, int port, String user, String password) {
        this(host, port, user, password, null);
    }

    /**
     * @param caFile the cluster's CA certificate when its pooler takes TLS connections only (it signed the
     *               pooler's certificate: verify-ca), or null: plain text
     */
    public PgBouncerConsole(String host, int port, String user, String password, Path caFile) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.caFile = caFile;
    }

    public String address() {
        return host + ":" + port;
    }

    /**
     * Waits until no server connection is in use (transactions in flight finish) and closes them, then holds
     * clients' next queries; gives up after {@code bound} (an {@link SQLException}: the caller RESUMEs, which
     * also cancels a PAUSE still waiting).
     */
    public void pause(Duration bound) throws SQLException {
        run("PAUSE", bound);
    }

    public void resume() throws SQLException {
        run("RESUME", Duration.ofSeconds(10));
    }

    /** The rows of {@code SHOW what} (POOLS, STATS), each column by name as text. */
    public List<Map<String, String>> show(String what) throws SQLException {
        if (!what.matches("[A-Z_]+")) {
            throw new IllegalArgumentException("not a SHOW subject: " + what);
        }
        return rows(run("SHOW " + what, Duration.ofSeconds(5)));
    }

    /** psql's unaligned output (a header line, then rows, tab-separated) as rows of columns by name. */
    static List<Map<String, String>> rows(String psqlOutput) {
        List<String> lines = psqlOutput.lines().toList();
        List<Map<String, String>> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        String[] header = lines.getFirst().split("\t", -1);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length && i < cells.length; i++) {
                row.put(header[i], cells[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    /** psql's output of one console command (unaligned, tab-separated, a header line); an error as an exception. */
    private String run(String command, Duration bound) throws SQLException {
        Path psql = PSQL.stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new SQLException("psql is not installed (apt-get install postgresql-client)"));
        String conninfo = "host=" + host + " port=" + port + " dbname=pgbouncer user=" + user
                + " connect_timeout=5 application_name=pgfly"
                + (caFile == null ? " sslmode=disable" : " sslmode=verify-ca sslrootcert=" + caFile);
        ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-q", "-A", "-F", "\t", "-P", "footer=off",
                "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", command);
        pb.environment().put("PGPASSWORD", password);
        pb.environment().remove("PGPASSFILE");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path err = null;
        Path out = null;
        try {
            // Files, not pipes: a full pipe would stall psql, and the wait must stay bounded.
            err = Files.createTempFile("pgfly-console", ".err");
            out = Files.createTempFile("pgfly-console", ".out");
            pb.redirectError(err.toFile()).redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SQLException(command + " did not finish within " + bound.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                String why = Files.readString(err).strip().lines().reduce((a, b) -> b).orElse("psql exited with "
                        + p.exitValue());
                throw new SQLException(why.replace("psql: ", ""));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SQLException("cannot run psql: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        } finally {
            deleteQuietly(err);
            deleteQuietly(out);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left in /tmp is not worth failing a command over
            }
        }
    }
}
