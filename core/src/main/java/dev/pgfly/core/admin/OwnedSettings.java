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
            Map.entry("full_page_writes", "without it a crash or pg_rewind can corrupt data"));

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
