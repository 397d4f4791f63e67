package dev.pgfly.core.admin;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Settings pgfly itself sets on every member, and therefore refuses to take from users: changing
 * them would break replication, failover, fencing or the agent's own access. Each has its reason.
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
    private static final Map<String, Integer> FLOORS = Map.of("max_wal_senders", 16, "max_replication_slots", 16);

    private static final Set<String> REPLICATION_WAL_LEVELS = Set.of("replica", "logical");

    private OwnedSettings() {
    }

    /** Why a setting may not be set by users, or empty when it may. */
    public static Optional<String> refusal(String name) {
        if (OWNED.containsKey(name)) {
            return Optional.of(OWNED.get(name));
        }
        if (name.endsWith("_command")) {
            return Optional.of(COMMANDS);
        }
        if (name.startsWith("include")) {
            return Optional.of(FILES);
        }
        return Optional.empty();
    }

    /**
     * Value rules that need no server: a library list names only {@link #PRELOADABLE} libraries.
     * Checked by the CLI and again by the daemon, which takes values from its API.
     */
    public static void checkSafeValue(String name, String value) {
        if (!name.equals("shared_preload_libraries") || value == null) {
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
