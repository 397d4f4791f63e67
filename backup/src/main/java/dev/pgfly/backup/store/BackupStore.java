package dev.pgfly.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where one cluster's snapshots and archived WAL live. Keys are relative paths such as
 * {@code snapshots/20250101T030000Z/base.tar.gz} or {@code wal/000000010000000000000003.gz}. Every
 * object carries the SHA-256 of its bytes, recorded when it is stored and checked on every read.
 */
public interface BackupStore extends AutoCloseable {

    /** Stores a file under a key, replacing any object there; the object appears whole or not at all. */
    StoredObject put(String key, Path file) throws IOException;

    StoredObject put(String key, byte[] data) throws IOException;

    /**
     * Opens an object for reading. Reading it to the end checks its checksum: a corrupted object makes
     * that last read throw {@link ChecksumMismatchException}.
     */
    VerifyingInputStream open(String key) throws IOException;

    /** The object's size and recorded checksum, or empty when there is none under that key. */
    Optional<StoredObject> stat(String key) throws IOException;

    /** Objects whose keys start with the prefix, sorted by key. */
    List<StoredObject> list(String prefix) throws IOException;

    void delete(String key) throws IOException;

    /** Where the store is, for messages: a directory or an s3:// URL. */
    String describe();

    /** Reads a whole (small) object, verified. */
    default byte[] read(String key) throws IOException {
        try (VerifyingInputStream in = open(key)) {
            return in.readAllBytes();
        }
    }

    /** Reads an object to the end only to check it; returns its size. */
    default long verify(String key) throws IOException {
        long size = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = open(key)) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                size += n;
            }
        }
        return size;
    }

    @Override
    default void close() {
    }
}
