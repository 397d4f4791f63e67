package dev.pgfly.node;

import dev.pgfly.core.util.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Logs that outlive the directories they were written in, because they are what a user needs to learn
 * what happened there.
 * <ul>
 * <li>A create that fails is rolled back, and the rollback deletes the cluster's directories. Before
 * it, every log of the new cluster (the children's in {@code clusters/NAME/logs}, each member's agent
 * and PostgreSQL logs with their rotated copies) is copied to {@code failed-creates/NAME/}, which
 * replaces any older copy and is removed by the next successful create of that name.</li>
 * <li>A removed member's directory is deleted. Before that, its logs and its agent's output are copied
 * to {@code clusters/NAME/removed-members/MEMBER/}, which goes with the cluster.</li>
 * </ul>
 * A log that vanishes or cannot be read is passed over: both run on paths that must not fail for it.
 */
final class KeptLogs {
    private KeptLogs() {
    }

    /** Copies a failed create's logs into {@code into} (emptied first); returns how many files it copied. */
    static int keepFailedCreate(Path childrenLogs, Map<String, Path> memberDirs, Path into) throws IOException {
        FileTrees.delete(into);
        int copied = copyLogs(childrenLogs, into);
        for (Map.Entry<String, Path> member : memberDirs.entrySet()) {
            copied += copyLogs(member.getValue(), into.resolve(member.getKey()));
        }
        return copied;
    }

    /**
     * Copies a removed member's logs, and the output of its agent process ({@code agentOutput}, in the
     * cluster's children logs), into {@code into} (emptied first); returns how many files it copied.
     */
    static int keepRemovedMember(Path memberDir, Path agentOutput, Path into) throws IOException {
        FileTrees.delete(into);
        int copied = copyLogs(memberDir, into);
        return Files.isRegularFile(agentOutput) ? copied + copyOne(agentOutput, into) : copied;
    }

    private static int copyLogs(Path from, Path into) throws IOException {
        if (!Files.isDirectory(from)) {
            return 0;
        }
        int copied = 0;
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().contains(".log")).toList()) {
                copied += copyOne(f, into);
            }
        }
        return copied;
    }

    /** 1 when copied, 0 when the file is gone with a stopping process or unreadable: the others still count. */
    private static int copyOne(Path file, Path into) {
        try {
            Files.createDirectories(into);
            Files.setPosixFilePermissions(into, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Path copy = into.resolve(file.getFileName());
            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
            // Kept logs are as private as the logs themselves (a copy gets the umask's 0644).
            Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return 1;
        } catch (IOException e) {
            return 0;
        }
    }
}
