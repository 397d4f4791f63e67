package dev.pgfly.cli.daemon;

import dev.pgfly.core.util.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A create that fails is rolled back, and the rollback deletes the cluster's directories, logs
 * included: the one thing a user needs to learn why. Before the rollback, every log of the new
 * cluster (the children's in {@code clusters/NAME/logs}, each member's agent and PostgreSQL logs with
 * their rotated copies) is copied to {@code failed-creates/NAME/}, which replaces any older copy and
 * is removed by the next successful create of that name.
 */
final class FailedCreateLogs {
    private FailedCreateLogs() {
    }

    /**
     * Copies the logs into {@code into} (emptied first); returns how many files it copied. A log that
     * vanishes or cannot be read is passed over: this runs on a failure path and must not hide it.
     */
    static int keep(Path childrenLogs, Map<String, Path> memberDirs, Path into) throws IOException {
        FileTrees.delete(into);
        int copied = copyLogs(childrenLogs, into);
        for (Map.Entry<String, Path> member : memberDirs.entrySet()) {
            copied += copyLogs(member.getValue(), into.resolve(member.getKey()));
        }
        return copied;
    }

    private static int copyLogs(Path from, Path into) throws IOException {
        if (!Files.isDirectory(from)) {
            return 0;
        }
        int copied = 0;
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().contains(".log")).toList()) {
                try {
                    Files.createDirectories(into);
                    Files.copy(f, into.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    copied++;
                } catch (IOException e) {
                    // gone with a stopping process, or unreadable: the others are still worth keeping
                }
            }
        }
        return copied;
    }
}
