package dev.pgfly.node.admin;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Settings pgfly itself sets on every member, and therefore refuses to take from users: changing
 * them would break replication, failover, fencing, recovery, data integrity or the agent's own
 * access. Each has its reason. This is the one place of the rule: the CLI ({@code config update}) and
 * the daemon's API ({@code POST /v1/clusters/NAME/settings}, whatever the token) both check it.
 */
public final class OwnedSettings {
    private static final String ADDRESSING = "pgfly assigns each member's address and port; the proxy is what clients use";
    private static final String REPLICATION = "pgfly sets it per member from the current primary";
    private static final String FILES = "pgfly manages the data directory and its configuration files";
    private static final String COMMANDS = "pgfly runs archiving, recovery and restores itself";
    /*
     * Settings that make the server run a program or load a shared library are code execution as the
     * postgres OS user: whoever can set them owns every database and the member's secrets. They are
     * never taken from `config update` (or the daemon API), whatever the token.
     */
    private static final String LOADS_CODE = "it makes PostgreSQL load code from a file, which pgfly does not allow";
    private static final String TLS = "pgfly manages TLS certificates and keys (create --tls)";
    private static final String UNSAFE = "a developer option that can corrupt data or hide corruption";
    /*
     * Recovery targets belong to a restore (create --from-backup --target-time/--target-lsn), which sets
     * them on the restored server only. In the cluster's settings every replica, and every member that
     * is cloned or rewound later, would stop replaying at the target or promote itself there (issue 18:
     * a replica promoted at recovery_target_lsn, was rewound, and was re-cloned every 5 s).
     */
    private static final String RECOVERY = "recovery targets are for restores (create --from-backup --target-time"
            + " or --target-lsn): on a running cluster a replica would stop or promote itself at the target";
    private static final String SESSION_ONLY = "it changes what every session runs as or checks; set it per session"
            + " (SET) where an application needs it";

    private static final Map<String, String> OWNED = Map.ofEntries(
            Map.entry("listen_addresses", ADDRESSING),
            Map.entry("port", ADDRESSING),
            Map.entry("unix_socket_directories", ADDRESSING),
            Map.entry("cluster_name", "pgfly names each member after its cluster"),
            Map.entry("primary_conninfo", REPLICATION),
            Map.entry("primary_slot_name", REPLICATION),
            Map.entry("synchronous_standby_names", "pgfly chooses the synchronous standbys (create --sync)"),
            Map.entry("hot_standby", "replicas must answer queries so that pgfly can watch them"),
            Map.entry("wal_log_hints", "pg_rewind needs it to bring a former primary back"),
            Map.entry("recovery_target_timeline", "a replica must follow the newest timeline after a failover"),
            Map.entry("recovery_min_apply_delay", "replicas must replay at once: a delayed replica makes a failover"
                    + " lose time and a switchover wait"),
            Map.entry("session_replication_role", "cluster-wide it turns off triggers and foreign-key checks in every"
                    + " session; set it per session (SET) for a data load"),
            Map.entry("role", SESSION_ONLY),
            Map.entry("session_authorization", SESSION_ONLY),
            Map.entry("pre_auth_delay", "a developer option that stalls every connection, pgfly's health checks too"),
            Map.entry("post_auth_delay", "a developer option that stalls every connection, pgfly's health checks too"),
            Map.entry("password_encryption", "pgfly's roles use SCRAM-SHA-256 passwords"),
            Map.entry("archive_mode", COMMANDS),
            Map.entry("archive_library", COMMANDS),
            Map.entry("data_directory", FILES),
            Map.entry("config_file", FILES),
            Map.entry("hba_file", FILES),
            Map.entry("ident_file", FILES),
            Map.entry("external_pid_file", FILES),
            Map.entry("logging_collector", "pgfly keeps PostgreSQL's log in the member's postgres.log"),
            Map.entry("data_sync_retry", "a failed fsync must stop PostgreSQL, never be retried"),
            Map.entry("fsync", "without it a crash or failover can corrupt data or lose acknowledged writes"),
            Map.entry("full_page_writes", "without it a crash or pg_rewind can corrupt data"),
            Map.entry("dynamic_library_path", LOADS_CODE),
            Map.entry("local_preload_libraries", LOADS_CODE),
            Map.entry("session_preload_libraries", LOADS_CODE),
            Map.entry("jit_provider", LOADS_CODE),
            Map.entry("ssl", TLS),
            Map.entry("ssl_cert_file", TLS),
            Map.entry("ssl_key_file", TLS),
            Map.entry("ssl_ca_file", TLS),
            Map.entry("ssl_crl_file", TLS),
            Map.entry("ssl_crl_dir", TLS),
            Map.entry("ssl_passphrase_command_supports_reload", TLS),
            Map.entry("krb_server_keyfile", FILES),
            Map.entry("stats_temp_directory", FILES),
            Map.entry("promote_trigger_file", FILES),
            Map.entry("unix_socket_group", ADDRESSING),
            Map.entry("unix_socket_permissions", ADDRESSING),
            Map.entry("allow_system_table_mods", UNSAFE),
            Map.entry("allow_in_place_tablespaces", UNSAFE),
            Map.entry("ignore_system_indexes", UNSAFE),
            Map.entry("ignore_checksum_failure", UNSAFE),
            Map.entry("ignore_invalid_pages", UNSAFE),
            Map.entry("zero_damaged_pages", UNSAFE));

    /**
     * Libraries that may be preloaded (shared_preload_libraries): contrib modules and well-known
     * extensions, by bare name only. A path or an unknown name would let a setting load any file.
     */
    public static final Set<String> PRELOADABLE = Set.of("pg_stat_statements", "auto_explain", "pg_prewarm",
            "passwordcheck", "auth_delay", "pg_stat_kcache", "pg_wait_sampling", "pg_qualstats", "pg_hint_plan",
            "pg_cron", "pgaudit", "timescaledb", "citus", "pg_partman_bgw", "pg_squeeze", "pglogical",
            "pg_failover_slots", "pgsodium", "pg_repack", "plpgsql_check", "pg_show_plans", "pg_tle", "pgextwlist");


    /** Lower bounds below which pgfly's replication would stop working. */
    /**
     * synchronous_commit values that acknowledge a commit before it is safe. With --sync they silently
     * undo RPO = 0 (safety rule S2: a failover to the synchronous standby could lose acknowledged
     * commits), and {@code off} loses the last acknowledged commits on any crash of the primary. Per
     * session (SET) or per role it stays the application's own trade-off. remote_write and remote_apply
     * keep the standby in the loop and are allowed. The hidden spellings of off (false, no, 0) too.
     */
    private static final Set<String> UNSAFE_SYNCHRONOUS_COMMIT = Set.of("off", "local", "false", "no", "0");

    private static final Map<String, Integer> FLOORS = Map.of("max_wal_senders", 16, "max_replication_slots", 16);

    private static final Set<String> REPLICATION_WAL_LEVELS = Set.of("replica", "logical");

    private OwnedSettings() {
    }

    /** Why a setting may not be set by users, or empty when it may. */
    public static Optional<String> refusal(String name) {
        if (OWNED.containsKey(name)) {
            return Optional.of(OWNED.get(name));
        }
        // Families, so that a setting a later PostgreSQL adds to them is refused too.
        if (name.endsWith("_command")) {
            return Optional.of(COMMANDS);
        }
        if (name.startsWith("include")) {
            return Optional.of(FILES);
        }
        if (name.startsWith("recovery_target")) {
            return Optional.of(RECOVERY);
        }
        if (name.startsWith("primary_")) {
            return Optional.of(REPLICATION);
        }
        if (name.startsWith("ssl_") && (name.endsWith("_file") || name.endsWith("_dir"))) {
            return Optional.of(TLS);
        }
        if (name.startsWith("unix_socket_")) {
            return Optional.of(ADDRESSING);
        }
        if (name.startsWith("ignore_")) {
            return Optional.of(UNSAFE);
        }
        return Optional.empty();
    }

    /**
     * Value rules that need no server: a library list names only {@link #PRELOADABLE} libraries.
     * Checked by the CLI and again by the daemon, which takes values from its API.
     */
    public static void checkSafeValue(String name, String value) {
        if (value == null) {
            return;
        }
        if (name.equals("synchronous_commit")
                && UNSAFE_SYNCHRONOUS_COMMIT.contains(value.strip().toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("invalid value '" + value.strip() + "' for setting 'synchronous_commit':"
                    + " cluster-wide, commits would be acknowledged before a standby or the disk has them (with --sync"
                    + " a failover could lose them); use on, remote_write or remote_apply, or SET it per session");
        }
        if (!name.equals("shared_preload_libraries")) {
            return;
        }
        for (String library : libraries(value)) {
            if (!PRELOADABLE.contains(library)) {
                throw new IllegalArgumentException("library " + SqlNames.shown(library) + " may not be preloaded:"
                        + " only known extensions (" + String.join(", ", new java.util.TreeSet<>(PRELOADABLE))
                        + ") by name, never a path");
            }
        }
    }

    /** The names in a library list: comma-separated, each optionally double-quoted. */
    static java.util.List<String> libraries(String value) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String raw : value.split(",", -1)) {
            String lib = raw.strip();
            if (lib.length() >= 2 && lib.startsWith("\"") && lib.endsWith("\"")) {
                lib = lib.substring(1, lib.length() - 1);
            }
            if (!lib.isEmpty() || !value.isBlank()) {
                names.add(lib);
            }
        }
        return names;
    }

    /** Value rules on top of PostgreSQL's own: what replication and failover need. */
    static void checkValue(String name, String canonical) {
        if (name.equals("wal_level") && !REPLICATION_WAL_LEVELS.contains(canonical)) {
            throw new IllegalArgumentException("invalid value '" + canonical + "' for setting 'wal_level': "
                    + "replication needs replica or logical");
        }
        Integer floor = FLOORS.get(name);
        if (floor != null && Integer.parseInt(canonical) < floor) {
            throw new IllegalArgumentException("invalid value '" + canonical + "' for setting '" + name
                    + "': pgfly needs at least " + floor + " for its replicas and backups");
        }
    }
}
