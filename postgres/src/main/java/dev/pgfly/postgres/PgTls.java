package dev.pgfly.postgres;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * How pgfly's own clients (the agent's SQL, pg_basebackup, pg_rewind, replication, the daemon) reach a
 * member's PostgreSQL. With TLS on: {@code sslmode=verify-full} against the cluster's CA, so that a
 * member talks only to servers holding a certificate of its own cluster for the address it dialled.
 * Off: libpq's and PgJDBC's default ({@code prefer}), as before TLS existed.
 *
 * @param rootCert   the cluster's CA certificate (PEM), or null when TLS is off
 * @param clientCert for libpq on a member: the member's own certificate (PEM), or null
 * @param clientKey  its key, or null
 */
public record PgTls(Path rootCert, Path clientCert, Path clientKey) {
    public static final PgTls OFF = new PgTls(null, null, null);

    /** Verifies servers with {@code rootCert}; presents no client certificate. */
    public PgTls(Path rootCert) {
        this(rootCert, null, null);
    }

    public boolean on() {
        return rootCert != null;
    }

    /** PgJDBC connection properties (PgJDBC reads no PEM keys: it presents no client certificate). */
    public Properties addTo(Properties props) {
        if (on()) {
            props.setProperty("sslmode", "verify-full");
            props.setProperty("sslrootcert", rootCert.toString());
        }
        return props;
    }

    /**
     * libpq's environment for the command line tools (pg_basebackup, pg_rewind). The client
     * certificate is named explicitly: otherwise libpq looks for ~/.postgresql/postgresql.crt in the
     * HOME the process inherited, which for PostgreSQL's user started by a root agent is root's: a file
     * it may not even look at, and libpq fails the connection then rather than going on without one.
     */
    public Map<String, String> libpqEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        if (on()) {
            env.put("PGSSLMODE", "verify-full");
            env.put("PGSSLROOTCERT", rootCert.toString());
            if (clientCert != null) {
                env.put("PGSSLCERT", clientCert.toString());
                env.put("PGSSLKEY", clientKey.toString());
            }
        }
        return env;
    }

    /** The same for a libpq connection string (primary_conninfo), each value quoted with {@code quote}. */
    public String conninfo(java.util.function.UnaryOperator<String> quote) {
        if (!on()) {
            return "sslmode=prefer";
        }
        String s = "sslmode=verify-full sslrootcert=" + quote.apply(rootCert.toString());
        if (clientCert != null) {
            s += " sslcert=" + quote.apply(clientCert.toString()) + " sslkey=" + quote.apply(clientKey.toString());
        }
        return s;
    }
}
