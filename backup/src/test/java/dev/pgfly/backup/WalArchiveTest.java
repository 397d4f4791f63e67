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
    void pushFetchIsIdempotentAndRefusesDifferentContentThatIsNotWalOfThisSystem() throws Exception {
        LocalDirStore store = new LocalDirStore(dir.resolve("store"));
        WalArchive wal = new WalArchive(store);
        Path seg = segment("first");
        assertThat(wal.push(seg, SEGMENT)).isEqualTo(WalArchive.PushResult.ARCHIVED);
        assertThat(store.stat(WalArchive.key(SEGMENT)).orElseThrow().size()).isLessThan(100_000); // zeros compress
        assertThat(wal.push(seg, SEGMENT)).isEqualTo(WalArchive.PushResult.ALREADY_ARCHIVED);
        assertThatThrownBy(() -> wal.push(segment("other"), SEGMENT)).hasMessageContaining("refusing to overwrite");
        assertThat(wal.conflicts()).isEmpty();

        Path restored = dir.resolve("restored");
        wal.fetch(SEGMENT, restored);
        assertThat(Files.mismatch(restored, seg)).isEqualTo(-1);
        assertThatThrownBy(() -> wal.fetch("000000010000000000000009", dir.resolve("x"))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> wal.push(seg, "../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A segment of database system {@code sysid} opening with a long page header, then {@code content}. */
    private Path walSegment(long sysid, String content) throws Exception {
        Path p = dir.resolve("pg_wal-" + sysid + "-" + content.hashCode());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) WalNames.SEGMENT_SIZE).order(java.nio.ByteOrder.nativeOrder());
        b.putShort(0, (short) 0xD110).putShort(2, (short) 0x0002).putInt(4, 1).putLong(24, sysid)
                .putInt(32, (int) WalNames.SEGMENT_SIZE).putInt(36, 8192);
        b.put(8192, content.getBytes());
        Files.write(p, b.array());
        return p;
    }

    @Test
    void aDivergedCopyOfTheSameSystemIsKeptAsideAndThePushSucceeds() throws Exception {
        LocalDirStore store = new LocalDirStore(dir.resolve("store"));
        WalArchive wal = new WalArchive(store);
        Path newPrimarysCopy = walSegment(7_300_000_000_000_000_001L, "records up to the promotion");
        Path formerPrimarysCopy = walSegment(7_300_000_000_000_000_001L, "records up to the promotion, then more");
        assertThat(wal.push(newPrimarysCopy, SEGMENT)).isEqualTo(WalArchive.PushResult.ARCHIVED);
        assertThat(wal.push(formerPrimarysCopy, SEGMENT)).isEqualTo(WalArchive.PushResult.KEPT_ASIDE);
        assertThat(wal.push(formerPrimarysCopy, SEGMENT)).isEqualTo(WalArchive.PushResult.KEPT_ASIDE);

        // The first copy stays the archived one; the other is kept once, never lost.
        Path restored = dir.resolve("restored");
        wal.fetch(SEGMENT, restored);
        assertThat(Files.mismatch(restored, newPrimarysCopy)).isEqualTo(-1);
        assertThat(wal.names()).containsExactly(SEGMENT);
        assertThat(wal.conflicts()).singleElement().asString().startsWith("wal-conflicts/" + SEGMENT + ".");

        assertThat(wal.prune(3)).isZero();
        assertThat(wal.prune(4)).isEqualTo(2);
        assertThat(wal.conflicts()).isEmpty();
    }

    @Test
    void walOfAnotherDatabaseSystemIsRefused() throws Exception {
        WalArchive wal = new WalArchive(new LocalDirStore(dir.resolve("store")));
        wal.push(walSegment(7_300_000_000_000_000_001L, "ours"), SEGMENT);
        assertThatThrownBy(() -> wal.push(walSegment(7_300_000_000_000_000_002L, "theirs"), SEGMENT))
                .hasMessageContaining("another database system").hasMessageContaining("refusing to overwrite");
        assertThat(wal.conflicts()).isEmpty();
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
