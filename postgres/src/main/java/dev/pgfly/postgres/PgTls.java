package dev.pgfly.postgres;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * How pgfly's own clients (the agent's SQL, pg_basebackup, pg_rewind, replication, the daemon) reach a
 * member's PostgreSQL. With TLS on: {@code sslmode=verify-full} against the cluster's CA, so that a
 * member talks only to servers holding a certificate of its own cluster for the address it dialled.
 * Off: libpq's and PgJDBC's default ({@code prefer}), as before TLS existed.
 *
 * @param rootCert the cluster's CA certificate (PEM), or null when TLS is off
 */
public record PgTls(Path rootCert) {
    public static final PgTls OFF = new PgTls(null);

    public boolean on() {
        return rootCert != null;
    }

    /** PgJDBC connection properties. */
    public Properties addTo(Properties props) {
        if (on()) {
            props.setProperty("sslmode", "verify-full");
            props.setProperty("sslrootcert", rootCert.toString());
        }
        return props;
    }

    /** libpq's environment for the command line tools (pg_basebackup, pg_rewind). */
    public Map<String, String> libpqEnv() {
        return on() ? Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", rootCert.toString()) : Map.of();
    }
}
