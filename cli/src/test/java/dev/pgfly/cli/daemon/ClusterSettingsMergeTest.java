package dev.pgfly.cli.daemon;

import dev.pgfly.cli.api.SettingsUpdate;
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
