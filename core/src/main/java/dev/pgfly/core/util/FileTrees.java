package dev.pgfly.core.util;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive deletion, children before parents; a missing tree is not an error.
 *
 * <p>Never follows a symbolic link: a link inside the tree is removed, not what it points to. Trees
 * pgfly deletes (a data directory set aside, a destroyed cluster's members, a backup store) are partly
 * owned by PostgreSQL's OS user, who can plant links and swap a directory for a link while pgfly runs
 * as root. So the walk goes through {@link SecureDirectoryStream}s: every entry is examined
 * ({@code fstatat} with {@code AT_SYMLINK_NOFOLLOW}), opened ({@code openat} with {@code O_NOFOLLOW}) and
 * removed ({@code unlinkat}) relative to its already-open parent directory, so that renaming or
 * replacing a directory half-way cannot redirect the walk outside the tree. A directory swapped for a
 * link between the look and the open makes the open fail (ELOOP): the deletion stops with an error
 * rather than follow it. (One race remains and only stalls: a directory swapped for a FIFO in that
 * window blocks the open until a writer appears; it can never make pgfly delete anything else.)
 */
public final class FileTrees {
    private FileTrees() {
    }

    public static void delete(Path root) throws IOException {
        deleteUnder(root, true);
    }

    /** Empties a directory but keeps it (its owner and mode stay as they are). */
    public static void deleteContents(Path root) throws IOException {
        deleteUnder(root, false);
    }

    private static void deleteUnder(Path root, boolean includingRoot) throws IOException {
        Path abs = root.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new IOException("refusing to delete " + abs);
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(abs, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!a.isDirectory()) {
            // A file, or a link (to a directory or not): the entry itself is what goes.
            if (includingRoot) {
                Files.deleteIfExists(abs);
            }
            return;
        }
        try (DirectoryStream<Path> up = Files.newDirectoryStream(parent)) {
            if (up instanceof SecureDirectoryStream<Path> secureParent) {
                Path name = abs.getFileName();
                try (SecureDirectoryStream<Path> dir = secureParent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    empty(dir);
                } catch (NoSuchFileException e) {
                    return;
                }
                if (includingRoot) {
                    try {
                        secureParent.deleteDirectory(name);
                    } catch (NoSuchFileException e) {
                        // gone meanwhile
                    }
                }
                return;
            }
        }
        deleteWithoutSecureStreams(abs, includingRoot);
    }

    /** Removes everything in {@code dir}, each entry relative to it, never following a link. */
    private static void empty(SecureDirectoryStream<Path> dir) throws IOException {
        List<Path> names = new ArrayList<>();
        for (Path entry : dir) {
            names.add(entry.getFileName());
        }
        for (Path name : names) {
            BasicFileAttributes a;
            try {
                a = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes();
            } catch (NoSuchFileException e) {
                continue;
            }
            try {
                if (a.isDirectory()) {
                    try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                        empty(sub);
                    }
                    dir.deleteDirectory(name);
                } else {
                    // unlinkat(dfd, name, 0): removes a link itself, never its target
                    dir.deleteFile(name);
                }
            } catch (NoSuchFileException e) {
                // removed by someone else meanwhile
            }
        }
    }

    /** Where the platform has no openat: a walk that does not follow links either (it deletes a link, not its target). */
    private static void deleteWithoutSecureStreams(Path root, boolean includingRoot) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                if (includingRoot || !dir.equals(root)) {
                    Files.deleteIfExists(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
