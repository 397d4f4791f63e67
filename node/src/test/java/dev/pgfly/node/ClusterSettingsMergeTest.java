package dev.pgfly.node;

import dev.pgfly.node.api.SettingsUpdate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the daemon refuses on its own, whoever calls its API. */
class ClusterSettingsMergeTest {
    private static final Map<String, String> CURRENT = Map.of("work_mem", "16MB");

    @Test
    void ownedAndCodeLoadingSettingsAreRefused() {
        for (String name : List.of("archive_command", "Restore_Command", "dynamic_library_path", "port")) {
            assertThatThrownBy(() -> ClusterSettings.merge(CURRENT, new SettingsUpdate(Map.of(name, "x"), null)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("managed by pgfly");
            assertThatThrownBy(() -> ClusterSettings.merge(CURRENT, new SettingsUpdate(null, List.of(name))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("managed by pgfly");
        }
        assertThatThrownBy(() -> ClusterSettings.merge(CURRENT,
                new SettingsUpdate(Map.of("shared_preload_libraries", "/tmp/evil.so"), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may not be preloaded");
    }

    /** Issue 18, hole 9: what breaks recovery, replication roles or integrity, refused by the daemon on its own. */
    @Test
    void haAndIntegritySettingsAreRefused() {
        for (String name : List.of("recovery_target_lsn", "recovery_target_action", "session_replication_role",
                "ssl_dh_params_file", "fsync", "zero_damaged_pages", "primary_conninfo")) {
            assertThatThrownBy(() -> ClusterSettings.merge(CURRENT, new SettingsUpdate(Map.of(name, "x"), null)))
                    .as(name).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("managed by pgfly");
        }
        assertThatThrownBy(() -> ClusterSettings.merge(CURRENT,
                new SettingsUpdate(Map.of("synchronous_commit", "off"), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'synchronous_commit'");
        assertThat(ClusterSettings.merge(CURRENT, new SettingsUpdate(Map.of("synchronous_commit", "remote_write"), null)))
                .containsEntry("synchronous_commit", "remote_write");
    }

    @Test
    void controlCharactersAndUnknownResetsAreRefused() {
        assertThatThrownBy(() -> ClusterSettings.merge(CURRENT, new SettingsUpdate(Map.of("work_mem", "1\n2"), null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterSettings.merge(CURRENT, new SettingsUpdate(null, List.of("jit"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to reset");
        assertThat(ClusterSettings.merge(CURRENT, new SettingsUpdate(Map.of("jit", "off"), List.of("work_mem"))))
                .isEqualTo(Map.of("jit", "off"));
    }
}
