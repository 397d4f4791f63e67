package dev.pgfly.agent;

import dev.pgfly.core.util.RollingLogFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sends the agent's log to {@code agent.log} in its member directory, beside {@code postgres.log}, capped
 * at 10 MiB and rolled over to {@code agent.1.log} .. {@code agent.3.log} ({@link RollingLogFile}, which the
 * proxy uses too). Standard error then carries only what logging cannot (a JVM that fails to start or
 * dies), which the daemon keeps in its own file.
 */
public final class AgentLogging {
    public static final String FILE_NAME = "agent.log";
    static final int KEEP = 3;

    private AgentLogging() {
    }

    public static Path toMemberDir(Path memberDir) throws IOException {
        // 0710, PostgreSQL's user's group: nobody else may enter (see MemberDirectory.prepare).
        dev.pgfly.postgres.MemberDirectory.prepare(memberDir, dev.pgfly.postgres.OsUser.forPostgres());
        Path file = memberDir.resolve(FILE_NAME);
        restrict(memberDir, file);
        RollingLogFile.logTo(file, KEEP);
        return file;
    }

    /**
     * The agent's log is for pgfly's user only (0600), like everything in the member directory: it
     * quotes errors of PostgreSQL and of SQL the agent ran. Created so before logback opens it (logback
     * keeps an existing file's mode), and the rolled-over copies of older versions put back to 0600.
     */
    static void restrict(Path memberDir, Path file) throws IOException {
        var mode = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(mode));
        }
        try (var logs = Files.newDirectoryStream(memberDir, "agent*.log")) {
            for (Path log : logs) {
                if (Files.isRegularFile(log, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(log, mode);
                }
            }
        }
    }

}
