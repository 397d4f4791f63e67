package dev.pgfly.node;

import dev.pgfly.core.util.UnixFiles;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where one user's pgfly homes keep their {@link HostClaims}: a directory only that user can write.
 * root's is {@code /run/pgfly-claims} (a directory only root can create entries in); another user's
 * is {@code $XDG_RUNTIME_DIR/pgfly-claims} when that is a private directory of theirs, else
 * {@code /tmp/pgfly-claims-UID}. In /tmp someone else may have made that name first: the directory is
 * used only when lstat shows a real directory (no symbolic link), owned by this user and writable by
 * nobody else; otherwise pgfly refuses with the reason rather than use or follow it.
 */
final class ClaimsDirectory {
    private ClaimsDirectory() {
    }

    static Path forCurrentUser() {
        return choose(UnixFiles.currentUid(), System.getenv(), Path.of(System.getProperty("java.io.tmpdir")));
    }

    static Path choose(int uid, Map<String, String> env, Path tmp) {
        Path run = Path.of("/run");
        if (uid == 0 && privateTo(run, 0)) {
            return run.resolve("pgfly-claims");
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() && privateTo(Path.of(xdg), uid)) {
            return Path.of(xdg).resolve("pgfly-claims");
        }
        return tmp.resolve("pgfly-claims-" + uid);
    }

    /** Whether {@code dir} is a real directory owned by {@code uid} that nobody else can write. */
    private static boolean privateTo(Path dir, int uid) {
        try {
            return problem(dir, uid) == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Makes {@code dir} (mode 0700) unless it exists, then checks it is this user's alone. */
    static void prepare(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // made before, by us (or another daemon of ours at the same moment) or by someone else: see below
        }
        String problem = problem(dir, UnixFiles.currentUid());
        if (problem != null) {
            throw new IllegalStateException("refusing the host claims directory " + dir + ": " + problem
                    + "; another user may have made it to take over pgfly's claims: remove it");
        }
    }

    /** Why {@code dir} is not {@code uid}'s private directory, or null. */
    static String problem(Path dir, int uid) throws IOException {
        int mode = UnixFiles.mode(dir);
        if ((mode & 0170000) == 0120000) {
            return "it is a symbolic link";
        }
        if ((mode & 0170000) != 0040000) {
            return "it is not a directory";
        }
        int owner = UnixFiles.uid(dir);
        if (owner != uid) {
            return "it is owned by uid " + owner + ", not by this user (uid " + uid + ")";
        }
        if ((mode & (UnixFiles.GROUP_WRITE | UnixFiles.OTHER_WRITE)) != 0) {
            return "other users can write it (mode " + Integer.toOctalString(mode & 07777) + ")";
        }
        return null;
    }
}
