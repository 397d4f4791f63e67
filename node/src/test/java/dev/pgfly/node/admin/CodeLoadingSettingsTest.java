package dev.pgfly.node.admin;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings that run programs or load code are never taken from users, whatever the spelling. */
class CodeLoadingSettingsTest {
    private static final Map<String, SettingSpec> PG = SettingValidatorTest.PG;

    @ParameterizedTest
    @ValueSource(strings = {"archive_command", "restore_command", "archive_cleanup_command", "recovery_end_command",
            "ssl_passphrase_command", "archive_library", "archive_mode", "dynamic_library_path",
            "local_preload_libraries", "session_preload_libraries", "jit_provider", "ssl_key_file", "ssl_cert_file",
            "ssl_ca_file", "ssl", "allow_system_table_mods", "zero_damaged_pages", "include", "include_dir",
            "ARCHIVE_COMMAND", " Restore_Command ", "Dynamic_Library_Path"})
    void refusedByName(String name) {
        assertThatThrownBy(() -> SettingValidator.validate(PG, name, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("managed by pgfly");
        assertThat(OwnedSettings.refusal(SettingValidator.normalizeName(name))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil", "$libdir/pg_stat_statements", "/tmp/x.so", "../../tmp/x", "pg_stat_statements,evil",
            "\"/tmp/evil\"", "pg_stat_statements,", "pg_stat_statements;evil", "auto_explain, 'evil'"})
    void onlyKnownLibrariesArePreloaded(String value) {
        assertThatThrownBy(() -> SettingValidator.validate(PG, "shared_preload_libraries", value))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may not be preloaded");
    }

    @Test
    void knownLibrariesAreFine() {
        assertThat(SettingValidator.validate(PG, "shared_preload_libraries", "pg_stat_statements, \"auto_explain\"")
                .value()).isEqualTo("pg_stat_statements, \"auto_explain\"");
        assertThat(SettingValidator.validate(PG, "shared_preload_libraries", "").value()).isEmpty();
        assertThat(OwnedSettings.libraries(" pg_prewarm ,\"pg_stat_statements\"")).isEqualTo(
                List.of("pg_prewarm", "pg_stat_statements"));
    }

    @Test
    void theDaemonChecksTheSameWithoutAServer() {
        assertThatThrownBy(() -> OwnedSettings.checkSafeValue("shared_preload_libraries", "/tmp/evil.so"))
                .isInstanceOf(IllegalArgumentException.class);
        OwnedSettings.checkSafeValue("work_mem", "/tmp/evil.so");
    }
}
