package dev.pgfly.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Files pgfly (often root) keeps for PostgreSQL's OS user in directories that user can write: the data
 * directory's postgresql.conf, pgfly.conf, pg_hba.conf and signal files, the archive directory's
 * settings and script. That user (anyone with a superuser SQL session: {@code COPY ... TO PROGRAM})
 * can replace any of those names with a symbolic link, a hard link, a FIFO or a directory at any moment,
 * so root never opens, writes, chmods or chowns anything there by name:
 * <ul>
 *   <li>reading: the name is looked at without following it, only a regular file is read, and it is
 *       opened with {@code O_NOFOLLOW}; anything else reads as "not there" (which the writer then
 *       replaces). What root reads this way is only compared, never written back where that user can
 *       read it; the one copy that is ({@link #readAsUser}) is read by that user's own {@code cat};</li>
 *   <li>writing: the new file is made in a directory only root can write (the parent of the target's
 *       directory: the member directory, or the cluster directory), with a random name and
 *       {@code CREATE_NEW}, written, given its mode and its owner there, and then renamed over the target:
 *       {@code rename(2)} replaces the target's directory entry, whatever it is, and never follows it.</li>
 * </ul>
 * Why not run the writes as the PostgreSQL user (a child process each time): the agent checks these
 * files every cycle, and the staging directory gives the same guarantee (root touches nothing by a name
 * the other user controls) without a process, in plain Java. A target's directory on a file system of its
 * own (a member directory mounted as a volume) stages in itself, when only root can replace entries there.
 */
public final class OwnedFiles {
    /** Larger than any configuration file pgfly keeps; a bigger one was not written by pgfly. */
    static final int MAX_BYTES = 4 << 20;

    private OwnedFiles() {
    }

    /**
     * The content of {@code file} when it is a regular file, or empty when it is missing or anything else
     * (a link, which is never followed, a FIFO, a directory).
     */
    public static Optional<String> readRegular(Path file) throws IOException {
        if (!isRegular(file)) {
            return Optional.empty();
        }
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
             InputStream in = Channels.newInputStream(ch)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException(file + " is larger than " + (MAX_BYTES >> 20) + " MiB: not a file pgfly wrote");
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            // O_NOFOLLOW met a link put there since the look (ELOOP): not a regular file either.
            if (!isRegular(file)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static boolean isRegular(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile();
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * The content of {@code file} read by {@code user} itself (its own {@code cat}), for content that is
     * written back where that user can read it: root reading a hard link the user planted to a file only
     * root may read would hand that file over. Empty when the file is missing or not a regular file.
     */
    public static Optional<String> readAsUser(Path file, OsUser user) throws IOException {
        if (!user.dropsPrivileges() || !isRegular(file)) {
            return readRegular(file);
        }
        Command.Result r = Command.run(user.wrap(List.of("cat", "--", file.toAbsolutePath().toString())), Map.of(),
                Duration.ofSeconds(30));
        if (!r.ok()) {
            throw new IOException("cannot read " + file + " as " + user.name() + ": " + r.lastLine());
        }
        return Optional.of(r.output());
    }

    /**
     * Replaces {@code file} with a complete copy of {@code content} (mode {@code mode}, owned by
     * {@code owner}'s user) when what is there is not exactly that regular file; returns whether it did.
     * A reader sees the old file or the new one, never a part of either.
     */
    public static boolean replaceIfChanged(Path file, String content, String mode, OsUser owner) throws IOException {
        if (readRegular(file).filter(content::equals).isPresent()) {
            return false;
        }
        replace(file, content, mode, owner);
        return true;
    }

    /** Replaces {@code file} (whatever its name holds: a link is replaced, not followed) with {@code content}. */
    public static void replace(Path file, String content, String mode, OsUser owner) throws IOException {
        Path target = file.toAbsolutePath().normalize();
        Path staging = stagingDir(target);
        requireOnlyRootCanReplaceEntries(staging);
        Path tmp = Files.createTempFile(staging, ".pgfly-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            owner.own(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Where a new copy of {@code target} is made: the parent of its directory, unless that directory is a
     * mount point (a volume of its own per member, e.g. the member directory): then the directory itself,
     * since {@code rename(2)} cannot cross file systems. The caller then requires that only root can replace
     * entries there: true of a member directory (pgpass, the lease), never of a data directory.
     */
    static Path stagingDir(Path target) throws IOException {
        Path dir = target.getParent();
        Path staging = dir == null ? null : dir.getParent();
        if (staging == null) {
            throw new IOException("no directory to stage a copy of " + target + " in");
        }
        if (!sameFileSystem(dir, staging)) {
            return dir;
        }
        return staging;
    }

    private static boolean sameFileSystem(Path a, Path b) throws IOException {
        return Files.getAttribute(a, "unix:dev", LinkOption.NOFOLLOW_LINKS)
                .equals(Files.getAttribute(b, "unix:dev", LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Refuses {@code dir} unless only this process's user can add, remove or rename entries in it: it is
     * owned by that user, is not a link, and nobody else may write it, or it is sticky (like /tmp, where
     * nobody else can rename or remove that user's entries).
     */
    public static void requireOnlyRootCanReplaceEntries(Path dir) throws IOException {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String me = System.getProperty("user.name");
        if (!a.isDirectory()) {
            throw new IOException("refusing to work in " + dir + ": not a directory (a symbolic link?)");
        }
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        boolean sticky = (mode & 01000) != 0;
        boolean othersWrite = (mode & 0022) != 0;
        if (!sticky && (!a.owner().getName().equals(me) || othersWrite)) {
            throw new IOException("refusing to work in " + dir + ": other users can replace its entries (owner "
                    + a.owner().getName() + ", mode " + PosixFilePermissions.toString(a.permissions()) + ")");
        }
    }
}
