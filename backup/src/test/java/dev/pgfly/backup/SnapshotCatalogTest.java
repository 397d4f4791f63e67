package dev.pgfly.backup;

import dev.pgfly.backup.store.LocalDirStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotCatalogTest {
    @TempDir
    Path tmp;

    @Test
    void deleteRefusesWhatIsNotASnapshotId() throws Exception {
        LocalDirStore store = new LocalDirStore(tmp.resolve("store"));
        store.put("wal/000000010000000000000001.gz", "keep".getBytes(StandardCharsets.UTF_8));
        SnapshotCatalog catalog = new SnapshotCatalog(store);

        for (String bad : new String[] {"", "..", "../wal", "20250102T030000Z/../../wal", "*"}) {
            assertThatThrownBy(() -> catalog.delete(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bad snapshot id");
        }
        assertThat(store.stat("wal/000000010000000000000001.gz")).isPresent();
    }
}
