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
import java.util.OptionalLong;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The WAL archive of one cluster: what {@code archive_command} pushes and {@code restore_command}
 * fetches. Each file is stored gzip-compressed (fast level: a switched, mostly empty segment shrinks to
 * almost nothing) under {@code wal/NAME.gz}. Pushing is idempotent, as PostgreSQL may push a file
 * again after a crash. A different file under a name already archived is never overwritten:
 * <ul>
 *   <li>if it is WAL of the same database system, it is kept aside under
 *       {@code wal-conflicts/NAME.SHA.gz} and the push succeeds. This happens after a failover: a
 *       former primary, or a replica with {@code archive_mode=always}, holds the last segments of the
 *       old timeline with records the new primary never had. Recovery on the new timeline reads that
 *       segment from the new timeline's file, so the first copy archived is as good as any; refusing
 *       would stall that member's archiver for ever (pg_wal grows, and a shutdown waits for it);</li>
 *   <li>otherwise (another system identifier, or not a segment) it is refused: another cluster is
 *       archiving here, and that must be seen, not absorbed.</li>
 * </ul>
 */
public final class WalArchive {
    public static final String PREFIX = "wal/";
    public static final String CONFLICTS_PREFIX = "wal-conflicts/";
    private static final String SUFFIX = ".gz";

    public enum PushResult { ARCHIVED, ALREADY_ARCHIVED, KEPT_ASIDE }

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
        if (existing.isEmpty()) {
            store.put(key, compressed);
            return PushResult.ARCHIVED;
        }
        String sha = dev.pgfly.backup.store.Sha256.of(compressed);
        if (sha.equalsIgnoreCase(existing.get().sha256())) {
            return PushResult.ALREADY_ARCHIVED;
        }
        OptionalLong ours = WalPageHeader.systemIdentifier(head(file));
        OptionalLong archived = WalPageHeader.systemIdentifier(gunzipHead(store.read(key)));
        if (ours.isPresent() && ours.equals(archived)) {
            store.put(conflictKey(walName, sha), compressed);
            return PushResult.KEPT_ASIDE;
        }
        throw new IOException(walName + " is already archived in " + store.describe()
                + " with different content" + (archived.isPresent() && ours.isPresent()
                ? " from another database system (" + Long.toUnsignedString(archived.getAsLong()) + ", ours is "
                + Long.toUnsignedString(ours.getAsLong()) + ")" : "")
                + ": refusing to overwrite it (is another cluster archiving here?)");
    }

    static String conflictKey(String walName, String sha256) {
        return CONFLICTS_PREFIX + walName + "." + sha256.substring(0, 16).toLowerCase(java.util.Locale.ROOT) + SUFFIX;
    }

    /** Copies kept aside by {@link #push}: object keys, sorted. */
    public List<String> conflicts() throws IOException {
        return store.list(CONFLICTS_PREFIX).stream().map(StoredObject::key).sorted().toList();
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(WalPageHeader.LONG_HEADER_SIZE);
        }
    }

    private static byte[] gunzipHead(byte[] compressed) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(compressed))) {
            return in.readNBytes(WalPageHeader.LONG_HEADER_SIZE);
        }
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

    /** Deletes segments (and copies kept aside) before {@code firstSegmentToKeep}; history files stay. Returns how many. */
    public int prune(long firstSegmentToKeep) throws IOException {
        int deleted = 0;
        for (String name : names()) {
            if (Retention.prunable(name, firstSegmentToKeep)) {
                store.delete(key(name));
                deleted++;
            }
        }
        for (String conflict : conflicts()) {
            String nameAndSha = conflict.substring(CONFLICTS_PREFIX.length(), conflict.length() - SUFFIX.length());
            String walName = nameAndSha.substring(0, Math.max(0, nameAndSha.lastIndexOf('.')));
            if (Retention.prunable(walName, firstSegmentToKeep)) {
                store.delete(conflict);
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
