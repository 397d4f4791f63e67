package dev.pgfly.agent;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sends the agent's log to {@code agent.log} in its member directory, beside {@code postgres.log}, capped
 * at 10 MiB and rolled over to {@code agent.1.log} .. {@code agent.3.log}. Standard error then carries
 * only what logging cannot (a JVM that fails to start or dies), which the daemon keeps in its own file.
 */
public final class AgentLogging {
    public static final String FILE_NAME = "agent.log";
    static final String MAX_FILE_SIZE = "10MB";
    static final int KEEP = 3;

    private AgentLogging() {
    }

    public static Path toMemberDir(Path memberDir) throws IOException {
        // 0710, PostgreSQL's user's group: nobody else may enter (see MemberDirectory.prepare).
        dev.pgfly.postgres.MemberDirectory.prepare(memberDir, dev.pgfly.postgres.OsUser.forPostgres());
        Path file = memberDir.resolve(FILE_NAME);
        restrict(memberDir, file);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return file;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
        encoder.start();

        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>() {
            @Override
            public void rollover() {
                super.rollover();
                // logback makes the new file with the process's umask (0644): back to 0600 at once.
                restrictQuietly(file);
            }
        };
        appender.setContext(context);
        appender.setName("AGENT_FILE");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(memberDir.resolve("agent.%i.log").toString());
        rolling.setMinIndex(1);
        rolling.setMaxIndex(KEEP);
        rolling.start();

        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
        trigger.start();

        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.info("logging to {}", file);
        root.addAppender(appender);
        root.detachAppender("STDERR");
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

    private static void restrictQuietly(Path file) {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            // the directory (0710) still keeps others out
        }
    }
}
