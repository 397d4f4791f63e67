package dev.pgfly.backup;

import dev.pgfly.backup.store.ChecksumMismatchException;
import dev.pgfly.backup.store.LocalDirStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalArchiveTest {
    static final String SEGMENT = "000000010000000000000003";

    @TempDir
    Path dir;

    private Path segment(String content) throws Exception {
        Path p = dir.resolve("pg_wal-" + content.hashCode());
        byte[] data = new byte[(int) WalNames.SEGMENT_SIZE];
        byte[] head = content.getBytes();
        System.arraycopy(head, 0, data, 0, head.length);
        Files.write(p, data);
        return p;
    }

    @Test
    void pushFetchIsIdempotentAndRefusesDifferentContent() throws Exception {
        LocalDirStore store = new LocalDirStore(dir.resolve("store"));
        WalArchive wal = new WalArchive(store);
        Path seg = segment("first");
        assertThat(wal.push(seg, SEGMENT)).isEqualTo(WalArchive.PushResult.ARCHIVED);
        assertThat(store.stat(WalArchive.key(SEGMENT)).orElseThrow().size()).isLessThan(100_000); // zeros compress
        assertThat(wal.push(seg, SEGMENT)).isEqualTo(WalArchive.PushResult.ALREADY_ARCHIVED);
        assertThatThrownBy(() -> wal.push(segment("other"), SEGMENT)).hasMessageContaining("refusing to overwrite");

        Path restored = dir.resolve("restored");
        wal.fetch(SEGMENT, restored);
        assertThat(Files.mismatch(restored, seg)).isEqualTo(-1);
        assertThatThrownBy(() -> wal.fetch("000000010000000000000009", dir.resolve("x"))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> wal.push(seg, "../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCorruptedSegmentIsNeverHandedToPostgres() throws Exception {
        LocalDirStore store = new LocalDirStore(dir.resolve("store"));
        WalArchive wal = new WalArchive(store);
        wal.push(segment("x"), SEGMENT);
        Path object = store.root().resolve(WalArchive.key(SEGMENT));
        byte[] bytes = Files.readAllBytes(object);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(object, bytes);
        Path dest = dir.resolve("RECOVERYXLOG");
        assertThatThrownBy(() -> wal.fetch(SEGMENT, dest)).isInstanceOf(java.io.IOException.class);
        assertThat(dest).doesNotExist();
        assertThat(dir.resolve("RECOVERYXLOG.pgfly-fetch")).doesNotExist();
    }

    @Test
    void pruneKeepsHistoryAndLaterSegments() throws Exception {
        LocalDirStore store = new LocalDirStore(dir.resolve("store"));
        WalArchive wal = new WalArchive(store);
        Path seg = segment("s");
        for (String name : new String[]{"000000010000000000000001", "000000010000000000000002",
                "000000020000000000000002.partial", "000000020000000000000003", "00000002.history",
                "000000010000000000000002.00000028.backup"}) {
            wal.push(seg, name);
        }
        assertThat(wal.prune(3)).isEqualTo(4);
        assertThat(wal.names()).containsExactly("00000002.history", "000000020000000000000003");
    }

    @Test
    void namesAndSegmentNumbers() {
        assertThat(WalNames.segmentNumber("0000000100000001000000FF")).hasValue(0x1FF);
        assertThat(WalNames.segmentName(2, 0x1FF)).isEqualTo("0000000200000001000000FF");
        assertThat(WalNames.segmentOf(dev.pgfly.core.model.Lsn.parse("1/FF000028"))).isEqualTo(0x1FF);
        assertThat(WalNames.isValid("00000003.history")).isTrue();
        assertThat(WalNames.isValid("000000010000000000000001.partial")).isTrue();
        assertThat(WalNames.isValid("RECOVERYXLOG")).isFalse();
        assertThat(WalNames.isValid("00000001000000000000000g")).isFalse();
    }

    @Test
    void checksumMismatchIsItsOwnKindOfError() throws Exception {
        LocalDirStore store = new LocalDirStore(dir.resolve("s"));
        store.put("k", new byte[]{1, 2, 3});
        Files.write(store.root().resolve("k"), new byte[]{1, 2, 4});
        assertThatThrownBy(() -> store.read("k")).isInstanceOf(ChecksumMismatchException.class);
    }
}
