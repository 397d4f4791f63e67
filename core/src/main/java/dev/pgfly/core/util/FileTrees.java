package dev.pgfly.core.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Recursive deletion, children before parents; a missing tree is not an error. */
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
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (includingRoot || !p.equals(root)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
