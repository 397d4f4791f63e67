package dev.pgfly.core.util;

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
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Sends a process's log to a file of its own, capped in size and rolled over by renaming: {@code
 * proxy.log}, then {@code proxy.1.log} .. {@code proxy.4.log}, so at most five files of 10 MiB (the
 * agent keeps three rolled files of {@code agent.log}, as it always has). The
 * proxy used to log to its standard error, which the daemon appended to one file without end: under a
 * connection flood that file grew at 7 MB/s (issue 18, hole 8). Standard error now carries only what
 * logging cannot (a JVM that fails to start or dies). Every file is created 0600: a log may name
 * clients and hosts, and it is nobody else's business.
 */
public final class RollingLogFile {
    public static final String MAX_FILE_SIZE = "10MB";
    /** Rolled files kept beside the current one, unless a caller says otherwise. */
    public static final int KEEP = 4;

    private RollingLogFile() {
    }

    /** Logs to {@code file} from now on (and no longer to standard error), {@link #KEEP} rolled files kept. */
    public static void logTo(Path file) throws IOException {
        logTo(file, KEEP);
    }

    /** Logs to {@code file} from now on (and no longer to standard error), {@code keep} rolled files kept. */
    public static void logTo(Path file, int keep) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
        encoder.start();

        RollingFileAppender<ILoggingEvent> appender = new PrivateRollingFileAppender();
        appender.setContext(context);
        appender.setName("ROLLING_FILE");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(rolledPattern(file));
        rolling.setMinIndex(1);
        rolling.setMaxIndex(keep);
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
    }

    /** {@code dir/proxy.log} rolls to {@code dir/proxy.%i.log}. */
    static String rolledPattern(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String rolled = dot > 0 ? name.substring(0, dot) + ".%i" + name.substring(dot) : name + ".%i";
        return file.resolveSibling(rolled).toString();
    }

    /** Creates the log file 0600 before logback opens it (at start and after every roll-over). */
    static final class PrivateRollingFileAppender extends RollingFileAppender<ILoggingEvent> {
        @Override
        public void openFile(String fileName) throws IOException {
            Path path = Path.of(fileName);
            if (!Files.exists(path)) {
                Files.createDirectories(path.toAbsolutePath().getParent());
                Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            }
            super.openFile(fileName);
        }
    }
}
