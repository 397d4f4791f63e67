package dev.pgfly.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A backup store in a local directory (the default: {@code $PGFLY_HOME/backups/CLUSTER}). Each object
 * is a plain file, so that a snapshot's tarballs can be used by hand, with its checksum in a
 * {@code KEY.sha256} file beside it. Files are written under a temporary name, synced, then renamed,
 * so a reader never sees half an object.
 */
public final class LocalDirStore implements BackupStore {
    private static final String CHECKSUM_SUFFIX = ".sha256";
    private static final String TMP_MARK = ".tmp-";

    private final Path root;

    public LocalDirStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public StoredObject put(String key, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return write(key, in);
        }
    }

    @Override
    public StoredObject put(String key, byte[] data) throws IOException {
        return write(key, new java.io.ByteArrayInputStream(data));
    }

    private StoredObject write(String key, InputStream in) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + TMP_MARK + UUID.randomUUID());
        MessageDigest digest = Sha256.newDigest();
        long size = 0;
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    digest.update(buf, 0, n);
                    out.write(buf, 0, n);
                    size += n;
                }
            }
            fsync(tmp);
            String sha = Sha256.hex(digest);
            Path sum = checksumFile(target);
            Path sumTmp = sum.resolveSibling(sum.getFileName() + TMP_MARK + UUID.randomUUID());
            Files.writeString(sumTmp, sha + "\n", StandardCharsets.US_ASCII);
            fsync(sumTmp);
            // The checksum goes first: an object file never exists without the checksum it must match.
            Files.move(sumTmp, sum, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsync(target.getParent());
            return new StoredObject(key, size, sha);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public VerifyingInputStream open(String key) throws IOException {
        Path file = resolve(key);
        String expected = readChecksum(file);
        try {
            return new VerifyingInputStream(Files.newInputStream(file), key, expected);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException("no object " + key + " in " + root);
        }
    }

    @Override
    public Optional<StoredObject> stat(String key) throws IOException {
        Path file = resolve(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(new StoredObject(key, Files.size(file), readChecksum(file)));
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<StoredObject> objects = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
                String key = root.relativize(p).toString();
                String name = p.getFileName().toString();
                if (name.endsWith(CHECKSUM_SUFFIX) || name.contains(TMP_MARK) || !key.startsWith(prefix)) {
                    continue;
                }
                try {
                    objects.add(new StoredObject(key, Files.size(p), readChecksum(p)));
                } catch (NoSuchFileException e) {
                    // deleted while listing
                }
            }
        }
        objects.sort(Comparator.comparing(StoredObject::key));
        return objects;
    }

    @Override
    public void delete(String key) throws IOException {
        Path file = resolve(key);
        Files.deleteIfExists(file);
        Files.deleteIfExists(checksumFile(file));
        // Empty snapshot directories go too, never the store's root.
        Path dir = file.getParent();
        while (dir != null && !dir.equals(root) && dir.startsWith(root)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    break;
                }
            }
            Files.deleteIfExists(dir);
            dir = dir.getParent();
        }
    }

    @Override
    public String describe() {
        return root.toString();
    }

    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || p.equals(root) || key.contains(TMP_MARK)) {
            throw new IllegalArgumentException("bad object key: " + key);
        }
        return p;
    }

    private static Path checksumFile(Path object) {
        return object.resolveSibling(object.getFileName() + CHECKSUM_SUFFIX);
    }

    private static String readChecksum(Path object) throws IOException {
        Path sum = checksumFile(object);
        if (!Files.exists(sum)) {
            if (!Files.exists(object)) {
                throw new NoSuchFileException("no object " + object);
            }
            throw new IOException("object " + object + " has no recorded checksum (" + sum.getFileName() + " missing)");
        }
        return Files.readString(sum, StandardCharsets.US_ASCII).strip();
    }

    private static void fsync(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, Files.isDirectory(path)
                ? new StandardOpenOption[]{StandardOpenOption.READ} : new StandardOpenOption[]{StandardOpenOption.WRITE})) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(path)) {
                throw e;
            }
            // some file systems cannot sync a directory: the rename is still atomic
        }
    }
}
