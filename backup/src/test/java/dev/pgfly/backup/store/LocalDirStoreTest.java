package dev.pgfly.backup.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalDirStoreTest {
    @TempDir
    Path dir;

    @Test
    void roundTripWithChecksum() throws Exception {
        LocalDirStore store = new LocalDirStore(dir);
        byte[] data = "hello snapshot".getBytes(StandardCharsets.UTF_8);
        StoredObject put = store.put("snapshots/1/base.tar.gz", data);
        assertThat(put.sha256()).isEqualTo(Sha256.of(data)).hasSize(64);
        assertThat(store.read("snapshots/1/base.tar.gz")).isEqualTo(data);
        assertThat(store.stat("snapshots/1/base.tar.gz")).contains(put);
        assertThat(store.list("snapshots/")).extracting(StoredObject::key).containsExactly("snapshots/1/base.tar.gz");
        assertThat(store.stat("nope")).isEmpty();
        assertThatThrownBy(() -> store.open("nope")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aCorruptedObjectIsDetectedOnRead() throws Exception {
        LocalDirStore store = new LocalDirStore(dir);
        Path source = dir.resolve("src.bin");
        byte[] data = new byte[200_000];
        new java.util.Random(1).nextBytes(data);
        Files.write(source, data);
        store.put("snapshots/2/base.tar.gz", source);
        Path object = dir.resolve("snapshots/2/base.tar.gz");
        byte[] stored = Files.readAllBytes(object);
        stored[123_456] ^= 1;
        Files.write(object, stored);
        assertThatThrownBy(() -> store.read("snapshots/2/base.tar.gz"))
                .isInstanceOf(ChecksumMismatchException.class).hasMessageContaining("corrupted");
        assertThatThrownBy(() -> store.verify("snapshots/2/base.tar.gz")).isInstanceOf(ChecksumMismatchException.class);
    }

    @Test
    void aTruncatedObjectIsDetected() throws Exception {
        LocalDirStore store = new LocalDirStore(dir);
        store.put("wal/a.gz", "0123456789".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("wal/a.gz"), "01234".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.read("wal/a.gz")).isInstanceOf(ChecksumMismatchException.class);
    }

    @Test
    void deleteRemovesObjectChecksumAndEmptyDirectories() throws Exception {
        LocalDirStore store = new LocalDirStore(dir.resolve("store"));
        store.put("snapshots/3/manifest.json", new byte[]{1});
        store.delete("snapshots/3/manifest.json");
        assertThat(dir.resolve("store/snapshots")).doesNotExist();
        assertThat(dir.resolve("store")).exists();
    }

    @Test
    void keysCannotEscapeTheRoot() {
        LocalDirStore store = new LocalDirStore(dir);
        assertThatThrownBy(() -> store.put("../evil", new byte[1])).isInstanceOf(IllegalArgumentException.class);
    }
}
