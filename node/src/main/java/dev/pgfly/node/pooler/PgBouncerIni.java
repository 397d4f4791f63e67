package dev.pgfly.node.pooler;

import dev.pgfly.core.model.PoolerSpec;

import java.nio.file.Path;

/**
 * The pgbouncer.ini of a cluster's pooler. Pure, so that each choice is tested:
 * <ul>
 * <li>one wildcard database whose server is the proxy's primary port: PgBouncer follows the primary
 *     through the proxy, and the proxy holds its new server connections while there is none;</li>
 * <li>{@code auth_query} as {@link PoolerRole#ROLE} (the only PostgreSQL credential in the auth file), so
 *     that no file holds a user's password or secret;</li>
 * <li>the console's admin ({@link PoolerRole#ADMIN}) exists in the auth file only, not in PostgreSQL;</li>
 * <li>a failed server login is retried after 1 s (the default, 15 s, would hold every client that long
 *     after the proxy refused one login during a failover).</li>
 * </ul>
 *
 * @param listen       the address clients reach (loopback on one host, the node's address in an installation)
 * @param serverHost   the proxy's listen address
 * @param serverPort   the proxy's primary port
 * @param serverCa     the cluster's CA to verify servers with (TLS clusters), or null: plain text
 * @param clientCert   the pooler's own certificate and key for clients (TLS clusters), or null
 */
public record PgBouncerIni(PoolerSpec pooler, String listen, String serverHost, int serverPort, Path authFile,
                           Path serverCa, Path clientCert, Path clientKey) {

    public String render() {
        StringBuilder s = new StringBuilder();
        s.append("; written by pgfly; edits are overwritten\n");
        s.append("[databases]\n");
        s.append("* = host=").append(serverHost).append(" port=").append(serverPort)
                .append(" auth_user=").append(PoolerRole.ROLE).append('\n');
        s.append("\n[pgbouncer]\n");
        line(s, "listen_addr", listen);
        line(s, "listen_port", Integer.toString(pooler.port()));
        // No Unix socket: its default directory belongs to the system's PostgreSQL, and clients come over TCP.
        line(s, "unix_socket_dir", "");
        line(s, "pool_mode", pooler.mode().pgbouncerName());
        line(s, "default_pool_size", Integer.toString(pooler.poolSize()));
        line(s, "max_client_conn", Integer.toString(pooler.maxClients()));
        line(s, "auth_type", "scram-sha-256");
        line(s, "auth_file", authFile.toString());
        line(s, "auth_user", PoolerRole.ROLE);
        line(s, "auth_query", "SELECT usename, passwd FROM " + PoolerRole.LOOKUP + "($1)");
        line(s, "admin_users", PoolerRole.ADMIN);
        line(s, "stats_users", PoolerRole.ADMIN);
        // PgJDBC sends extra_float_digits at startup; PgBouncer would refuse the client without this.
        line(s, "ignore_startup_parameters", "extra_float_digits,options");
        line(s, "server_login_retry", "1");
        line(s, "server_connect_timeout", "35");
        line(s, "server_reset_query", "DISCARD ALL");
        line(s, "log_connections", "0");
        line(s, "log_disconnections", "0");
        line(s, "application_name_add_host", "0");
        if (serverCa != null) {
            // The proxy pipes bytes, so PgBouncer's TLS session is with the member itself: verify-ca
            // checks the member's certificate against the cluster's CA (its name is a member's, not the proxy's).
            line(s, "server_tls_sslmode", "verify-ca");
            line(s, "server_tls_ca_file", serverCa.toString());
        }
        if (clientCert != null) {
            line(s, "client_tls_sslmode", "require");
            line(s, "client_tls_cert_file", clientCert.toString());
            line(s, "client_tls_key_file", clientKey.toString());
        }
        return s.toString();
    }

    private static void line(StringBuilder s, String key, String value) {
        s.append(key).append(" = ").append(value).append('\n');
    }

    /** The auth file: the lookup role's password and the console admin's, each quoted as PgBouncer reads them. */
    public static String authFile(String rolePassword, String adminPassword) {
        return quote(PoolerRole.ROLE) + " " + quote(rolePassword) + "\n" + quote(PoolerRole.ADMIN) + " "
                + quote(adminPassword) + "\n";
    }

    private static String quote(String v) {
        if (v.indexOf('"') >= 0 || v.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a pooler credential must not hold quotes or control characters");
        }
        return "\"" + v + "\"";
    }
}
