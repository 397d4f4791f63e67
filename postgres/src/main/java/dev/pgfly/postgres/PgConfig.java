package dev.pgfly.postgres;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the files pgfly manages in a data directory: {@code pgfly.conf} (included from
 * postgresql.conf) and {@code pg_hba.conf}. Values are quoted here, once, so nothing a user typed is
 * ever pasted into a configuration file unescaped.
 */
public final class PgConfig {
    public static final String REPLICATION_ROLE = "pgfly_replicator";
    public static final String AGENT_ROLE = "pgfly_agent";
    /**
     * What metrics, health checks and status probes connect as: a login role with pg_monitor and
     * nothing else, so that a scrape or a bug in it can read statistics but never change data.
     */
    public static final String MONITOR_ROLE = "pgfly_monitor";
    public static final String SUPERUSER = "postgres";

    private PgConfig() {
    }

    /** Settings every member needs for streaming replication, failover and pg_rewind. */
    public static Map<String, String> baseSettings(String host, int port, String clusterName) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("listen_addresses", host);
        s.put("port", Integer.toString(port));
        s.put("unix_socket_directories", "");
        s.put("cluster_name", clusterName);
        s.put("wal_level", "replica");
        s.put("hot_standby", "on");
        s.put("hot_standby_feedback", "on");
        s.put("max_wal_senders", "16");
        s.put("max_replication_slots", "16");
        s.put("wal_keep_size", "128MB");
        s.put("wal_log_hints", "on");
        s.put("wal_receiver_status_interval", "1s");
        s.put("wal_sender_timeout", "10s");
        s.put("wal_receiver_timeout", "10s");
        s.put("wal_retrieve_retry_interval", "1s");
        s.put("password_encryption", "scram-sha-256");
        s.put("recovery_target_timeline", "latest");
        s.put("logging_collector", "off");
        s.put("log_line_prefix", "%m [%p] %q%u@%d ");
        s.put("log_connections", "off");
        // No statement text in the log by default: a failing statement is otherwise logged whole
        // (log_min_error_statement=error), and a typo in ALTER ROLE ... PASSWORD puts the password there.
        s.put("log_statement", "none");
        s.put("log_min_error_statement", "panic");
        s.put("shared_buffers", "128MB");
        s.put("max_connections", "100");
        return s;
    }

    public static String renderConf(Map<String, String> settings) {
        StringBuilder sb = new StringBuilder("# Managed by pgfly: rewritten by the agent. Change settings with pgfly, not here.\n");
        settings.forEach((k, v) -> sb.append(k).append(" = ").append(quote(v)).append('\n'));
        return sb.toString();
    }

    /** A PostgreSQL configuration string literal. */
    public static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /**
     * Password on every TCP connection; replication only for the replication role and only from the
     * members' addresses (plus 127.0.0.1, the source address libpq uses on loopback in local mode).
     */
    public static String renderHba(List<String> memberHosts) {
        return renderHba(memberHosts, false);
    }

    /**
     * As {@link #renderHba(List)}; with {@code tls}, every line is {@code hostssl} and a connection
     * without TLS is rejected outright, replication included, so that no password or row ever crosses
     * the network in clear text (a client that asks for no encryption gets a clear refusal).
     */
    public static String renderHba(List<String> memberHosts, boolean tls) {
        String type = tls ? "hostssl" : "host";
        StringBuilder sb = new StringBuilder("# Managed by pgfly.\n# TYPE  DATABASE     USER               ADDRESS             METHOD\n");
        boolean loopback = false;
        for (String host : memberHosts.stream().distinct().sorted().toList()) {
            sb.append(hbaLine(type, "replication", REPLICATION_ROLE, host + "/32", "scram-sha-256"));
            loopback |= host.startsWith("127.");
        }
        if (loopback) {
            sb.append(hbaLine(type, "replication", REPLICATION_ROLE, "127.0.0.1/32", "scram-sha-256"));
        }
        sb.append(hbaLine(type, "all", "all", "0.0.0.0/0", "scram-sha-256"));
        sb.append(hbaLine(type, "all", "all", "::/0", "scram-sha-256"));
        if (tls) {
            for (String database : List.of("all", "replication")) {
                sb.append(hbaLine("hostnossl", database, "all", "0.0.0.0/0", "reject"));
                sb.append(hbaLine("hostnossl", database, "all", "::/0", "reject"));
            }
        }
        return sb.toString();
    }

    private static String hbaLine(String type, String database, String user, String address, String method) {
        return String.format("%-7s %-12s %-18s %-19s %s%n", type, database, user, address, method);
    }

    /**
     * The server side of TLS: certificate, key and CA files (the CA also lets PostgreSQL check client
     * certificates, should a pg_hba line ask for them).
     */
    public static Map<String, String> tlsSettings(String certFile, String keyFile, String caFile) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ssl", "on");
        s.put("ssl_cert_file", certFile);
        s.put("ssl_key_file", keyFile);
        s.put("ssl_ca_file", caFile);
        return s;
    }

    /** A libpq connection string for streaming from the primary (libpq's default TLS: prefer). */
    public static String primaryConninfo(String host, int port, String applicationName, String passwordFile) {
        return primaryConninfo(host, port, applicationName, passwordFile, PgTls.OFF);
    }

    /**
     * A libpq connection string for streaming from the primary. With TLS, {@code verify-full} against the
     * cluster's CA: the upstream's certificate names its address, so a replica streams only from a
     * member of its own cluster, over an encrypted connection.
     */
    public static String primaryConninfo(String host, int port, String applicationName, String passwordFile, PgTls tls) {
        String ssl = tls.conninfo(PgConfig::conninfoQuote);
        return "host=" + host + " port=" + port + " user=" + REPLICATION_ROLE + " passfile=" + conninfoQuote(passwordFile)
                + " application_name=" + applicationName + " connect_timeout=3 " + ssl
                + " keepalives=1 keepalives_idle=5 keepalives_interval=2 keepalives_count=3";
    }

    private static String conninfoQuote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
