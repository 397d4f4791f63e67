package dev.pgfly.postgres;

import dev.pgfly.core.util.UnixFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether this process may run the programs of a directory: pgfly runs PostgreSQL's binaries as root
 * (the daemon's {@code postgres --version}, the agent's {@code initdb}, {@code pg_ctl} and friends), so
 * a directory another local user controls would be a way to run anything as root. The directory named
 * by {@code --pg-bin}, {@code PGFLY_PG_BIN} or a create request is accepted only when nobody but root
 * and this process's own user can change what runs:
 * <ul>
 *   <li>every directory from {@code /} down to it (after resolving symbolic links) is owned by root or
 *   by us and writable by nobody else; a world-writable directory with the sticky bit ({@code /tmp}) is
 *   tolerated on the way, since others cannot rename or delete what we own in it, and the next
 *   component must be ours anyway;</li>
 *   <li>every program in it is owned by root or by us and writable by nobody else, and a symbolic link
 *   in it leads to a program that passes the same checks along its own path.</li>
 * </ul>
 * The check only reads metadata (lstat): nothing from the directory runs before it passes.
 */
public final class TrustedPrograms {
    private TrustedPrograms() {
    }

    /** Why {@code dir}'s programs must not be run by this process, or empty; trusts root and our own uid. */
    public static Optional<String> problem(Path dir) throws IOException {
        return problem(dir, Set.copyOf(List.of(0, UnixFiles.currentUid())));
    }

    /** As {@link #problem(Path)}, trusting the owners {@code trusted} (uids). */
    static Optional<String> problem(Path dir, Set<Integer> trusted) throws IOException {
        Path real = dir.toRealPath();
        Optional<String> path = pathProblem(real, trusted);
        if (path.isPresent()) {
            return path;
        }
        try (Stream<Path> entries = Files.list(real)) {
            for (Path entry : entries.sorted().toList()) {
                Optional<String> p = entryProblem(entry, trusted);
                if (p.isPresent()) {
                    return p;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> entryProblem(Path entry, Set<Integer> trusted) throws IOException {
        int mode = UnixFiles.mode(entry);
        if (isLink(mode)) {
            // The link itself can only be changed by the directory's owner (checked); where it leads must
            // be as safe as the directory, all the way from /.
            Path target;
            try {
                target = entry.toRealPath();
            } catch (NoSuchFileException e) {
                return Optional.of(entry + " is a symbolic link to a missing file, which anyone could create later");
            }
            return pathProblem(target, trusted);
        }
        return isRegular(mode) ? nodeProblem(entry, mode, trusted, false) : Optional.empty();
    }

    /** Every component of {@code real} (absolute, no symbolic links), from the root down. */
    private static Optional<String> pathProblem(Path real, Set<Integer> trusted) throws IOException {
        List<Path> chain = new ArrayList<>();
        for (Path p = real; p != null; p = p.getParent()) {
            chain.addFirst(p);
        }
        for (int i = 0; i < chain.size(); i++) {
            Path p = chain.get(i);
            Optional<String> problem = nodeProblem(p, UnixFiles.mode(p), trusted, i < chain.size() - 1);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> nodeProblem(Path p, int mode, Set<Integer> trusted, boolean onTheWay)
            throws IOException {
        int uid = UnixFiles.uid(p);
        if (!trusted.contains(uid)) {
            return Optional.of(p + " is owned by uid " + uid + ", not by root or this process's user");
        }
        boolean othersWrite = (mode & (UnixFiles.GROUP_WRITE | UnixFiles.OTHER_WRITE)) != 0;
        boolean sticky = (mode & UnixFiles.STICKY) != 0 && isDirectory(mode);
        if (othersWrite && !(onTheWay && sticky)) {
            return Optional.of(p + " is writable by other users (mode " + Integer.toOctalString(mode & 07777) + ")");
        }
        return Optional.empty();
    }

    private static boolean isLink(int mode) {
        return (mode & 0170000) == 0120000;
    }

    private static boolean isRegular(int mode) {
        return (mode & 0170000) == 0100000;
    }

    private static boolean isDirectory(int mode) {
        return (mode & 0170000) == 0040000;
    }
}
