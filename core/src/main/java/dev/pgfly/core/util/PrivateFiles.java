package dev.pgfly.core.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Checks that secrets stay private: a directory of secrets is 0700 and every file in it 0600 (or
 * stricter), owned by the user that reads them, and none is a symbolic link (which could point a
 * reader, or a writer, anywhere). A daemon or agent refuses to start rather than run with secrets
 * other local users can read or replace.
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {
    }

    /** Why the directory (when it exists) or a file in it is not private, or empty when all is well. */
    public static Optional<String> problem(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Optional<String> own = problemWith(dir, true);
        if (own.isPresent()) {
            return own;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                Optional<String> p = problemWith(f, Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS));
                if (p.isPresent()) {
                    return p;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> problemWith(Path p, boolean directory) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            return Optional.of(p + " is a symbolic link; secrets must be plain files");
        }
        Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
        loose.addAll(a.permissions());
        loose.retainAll(GROUP_OR_OTHER);
        if (!loose.isEmpty()) {
            String mode = PosixFilePermissions.toString(a.permissions());
            return Optional.of(p + " is accessible to other users (" + mode + "); run: chmod "
                    + (directory ? "700 " : "600 ") + p);
        }
        String me = System.getProperty("user.name");
        if (me != null && !a.owner().getName().equals(me)) {
            return Optional.of(p + " is owned by " + a.owner().getName() + ", not by " + me);
        }
        return Optional.empty();
    }

    /** Why one secret file (when it exists) is not private, or empty. */
    public static Optional<String> fileProblem(Path file) throws IOException {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? problemWith(file, false) : Optional.empty();
    }

    /**
     * Makes a log file private before a process's output is redirected to it (a redirect would create it
     * with the umask's 0644): created 0600, or put back to 0600 when it exists (logs of older versions
     * were world-readable). Logs quote errors, and a failing statement can carry a password.
     */
    public static void privateLog(Path file) throws IOException {
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-------");
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(mode));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(file + " is not a regular file");
            }
            Files.setPosixFilePermissions(file, mode);
        }
    }

    /** Throws with one line when {@link #problem} finds one. */
    public static void requirePrivate(Path dir) throws IOException {
        Optional<String> p = problem(dir);
        if (p.isPresent()) {
            throw new IllegalStateException("refusing to start: " + p.get());
        }
    }
}
