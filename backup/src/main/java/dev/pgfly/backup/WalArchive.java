package dev.pgfly.backup;

import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.backup.store.StoredObject;
import dev.pgfly.backup.store.VerifyingInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The WAL archive of one cluster: what {@code archive_command} pushes and {@code restore_command}
 * fetches. Each file is stored gzip-compressed (fast level: a switched, mostly empty segment shrinks to
 * almost nothing) under {@code wal/NAME.gz}. Pushing is idempotent, as PostgreSQL may push a file
 * again after a crash; a different file under a name already archived is refused, never overwritten.
 */
public final class WalArchive {
    public static final String PREFIX = "wal/";
    private static final String SUFFIX = ".gz";

    public enum PushResult { ARCHIVED, ALREADY_ARCHIVED }

    private final BackupStore store;

    public WalArchive(BackupStore store) {
        this.store = store;
    }

    public static String key(String walName) {
        return PREFIX + walName + SUFFIX;
    }

    public PushResult push(Path file, String walName) throws IOException {
        requireValidName(walName);
        byte[] compressed = gzip(file);
        String key = key(walName);
        Optional<StoredObject> existing = store.stat(key);
        if (existing.isPresent()) {
            if (dev.pgfly.backup.store.Sha256.of(compressed).equalsIgnoreCase(existing.get().sha256())) {
                return PushResult.ALREADY_ARCHIVED;
            }
            throw new IOException(walName + " is already archived in " + store.describe()
                    + " with different content: refusing to overwrite it (is another cluster archiving here?)");
        }
        store.put(key, compressed);
        return PushResult.ARCHIVED;
    }

    /**
     * Fetches a WAL file to {@code destination}, verified: it appears there only when its checksum
     * matched. Throws {@link java.nio.file.NoSuchFileException} when the archive does not have it.
     */
    public long fetch(String walName, Path destination) throws IOException {
        requireValidName(walName);
        Path tmp = destination.resolveSibling(destination.getFileName() + ".pgfly-fetch");
        long size = 0;
        try (VerifyingInputStream raw = store.open(key(walName));
             InputStream in = new GZIPInputStream(raw, 1 << 16);
             OutputStream out = Files.newOutputStream(tmp)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                size += n;
            }
            raw.drainAndVerify();
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return size;
    }

    /** Archived WAL file names, sorted. */
    public List<String> names() throws IOException {
        return store.list(PREFIX).stream().map(o -> o.key().substring(PREFIX.length()))
                .filter(k -> k.endsWith(SUFFIX)).map(k -> k.substring(0, k.length() - SUFFIX.length())).toList();
    }

    /** Deletes segments before {@code firstSegmentToKeep} (history files stay); returns how many. */
    public int prune(long firstSegmentToKeep) throws IOException {
        int deleted = 0;
        for (String name : names()) {
            if (Retention.prunable(name, firstSegmentToKeep)) {
                store.delete(key(name));
                deleted++;
            }
        }
        return deleted;
    }

    private static void requireValidName(String walName) {
        if (!WalNames.isValid(walName)) {
            throw new IllegalArgumentException("not a WAL file name: " + walName);
        }
    }

    /** Deterministic gzip (no timestamp in the header), so that pushing the same file again gives the same bytes. */
    static byte[] gzip(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Files.size(file) / 4 + 1024, 1 << 24));
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            Files.copy(file, gz);
        }
        return bytes.toByteArray();
    }
}
