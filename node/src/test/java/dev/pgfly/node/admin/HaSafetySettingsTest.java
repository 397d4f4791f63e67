package dev.pgfly.node.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 18, hole 9: settings that change recovery, replication roles or data integrity are refused by
 * {@code config update} and by the daemon's API, each with its reason. One row per refused name: the
 * name, and a phrase its one-line reason must contain.
 */
class HaSafetySettingsTest {
    private static final Map<String, SettingSpec> PG = SettingValidatorTest.PG;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            recovery_target                        | recovery targets are for restores
            recovery_target_lsn                    | recovery targets are for restores
            recovery_target_time                   | recovery targets are for restores
            recovery_target_xid                    | recovery targets are for restores
            recovery_target_name                   | recovery targets are for restores
            recovery_target_inclusive              | recovery targets are for restores
            recovery_target_action                 | recovery targets are for restores
            recovery_target_timeline               | newest timeline
            recovery_min_apply_delay               | replicas must replay at once
            session_replication_role               | turns off triggers and foreign-key checks
            role                                   | set it per session
            session_authorization                  | set it per session
            restore_command                        | pgfly runs archiving, recovery and restores
            archive_cleanup_command                | pgfly runs archiving, recovery and restores
            recovery_end_command                   | pgfly runs archiving, recovery and restores
            archive_command                        | pgfly runs archiving, recovery and restores
            archive_mode                           | pgfly runs archiving, recovery and restores
            archive_library                        | pgfly runs archiving, recovery and restores
            primary_conninfo                       | from the current primary
            primary_slot_name                      | from the current primary
            synchronous_standby_names              | synchronous standbys
            promote_trigger_file                   | configuration files
            hot_standby                            | replicas must answer queries
            wal_log_hints                          | pg_rewind
            fsync                                  | corrupt data
            full_page_writes                       | corrupt data
            data_sync_retry                        | never be retried
            zero_damaged_pages                     | corrupt data or hide corruption
            ignore_checksum_failure                | corrupt data or hide corruption
            ignore_system_indexes                  | corrupt data or hide corruption
            ignore_invalid_pages                   | corrupt data or hide corruption
            allow_system_table_mods                | corrupt data or hide corruption
            allow_in_place_tablespaces             | corrupt data or hide corruption
            pre_auth_delay                         | stalls every connection
            post_auth_delay                        | stalls every connection
            ssl                                    | TLS certificates
            ssl_cert_file                          | TLS certificates
            ssl_key_file                           | TLS certificates
            ssl_ca_file                            | TLS certificates
            ssl_crl_file                           | TLS certificates
            ssl_crl_dir                            | TLS certificates
            ssl_dh_params_file                     | TLS certificates
            ssl_passphrase_command                 | pgfly runs archiving, recovery and restores
            ssl_passphrase_command_supports_reload | TLS certificates
            hba_file                               | configuration files
            ident_file                             | configuration files
            data_directory                         | configuration files
            config_file                            | configuration files
            external_pid_file                      | configuration files
            include                                | configuration files
            include_dir                            | configuration files
            include_if_exists                      | configuration files
            listen_addresses                       | address and port
            port                                   | address and port
            unix_socket_directories                | address and port
            unix_socket_group                      | address and port
            unix_socket_permissions                | address and port
            password_encryption                    | SCRAM-SHA-256
            dynamic_library_path                   | load code
            local_preload_libraries                | load code
            session_preload_libraries              | load code
            jit_provider                           | load code
            """)
    void refusedWithItsReason(String name, String reason) {
        assertThat(OwnedSettings.refusal(name)).as(name).hasValueSatisfying(r -> assertThat(r).contains(reason));
        // The same one line from the validator (CLI, and the daemon against a live server) ...
        assertThatThrownBy(() -> SettingValidator.validate(PG, name.toUpperCase(), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("setting '" + name + "' is managed by pgfly: " + OwnedSettings.refusal(name).orElseThrow())
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "local", "OFF", " Local ", "false", "no", "0"})
    void synchronousCommitMustWaitForAStandbyOrTheDisk(String value) {
        assertThatThrownBy(() -> OwnedSettings.checkSafeValue("synchronous_commit", value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid value '" + value.strip() + "' for setting 'synchronous_commit'")
                .hasMessageContaining("SET it per session").hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"on", "remote_write", "remote_apply"})
    void safeSynchronousCommitValuesAreFine(String value) {
        OwnedSettings.checkSafeValue("synchronous_commit", value);
    }

    @Test
    void ordinaryTuningStaysAllowed() {
        for (String name : new String[] {"work_mem", "shared_buffers", "max_connections", "ssl_ciphers",
                "ssl_min_protocol_version", "wal_keep_size", "max_slot_wal_keep_size", "hot_standby_feedback",
                "log_min_duration_statement", "synchronous_commit", "wal_level", "max_wal_senders"}) {
            assertThat(OwnedSettings.refusal(name)).as(name).isEmpty();
        }
    }
}
