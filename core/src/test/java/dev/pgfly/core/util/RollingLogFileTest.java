package dev.pgfly.core.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class RollingLogFileTest {
    @Test
    void rolledFilesSitBesideTheLogWithTheirNumberBeforeTheExtension() {
        assertThat(RollingLogFile.rolledPattern(Path.of("/x/logs/proxy.log"))).isEqualTo("/x/logs/proxy.%i.log");
        assertThat(RollingLogFile.rolledPattern(Path.of("/x/logs/proxy-eu.log"))).isEqualTo("/x/logs/proxy-eu.%i.log");
        assertThat(RollingLogFile.rolledPattern(Path.of("/x/proxy"))).isEqualTo("/x/proxy.%i");
    }

    @Test
    void theLogFileIsCreatedPrivateAndMadePrivateWhenItExisted(@TempDir Path dir) throws Exception {
        RollingLogFile.PrivateRollingFileAppender appender = new RollingLogFile.PrivateRollingFileAppender();
        appender.setContext(new ch.qos.logback.classic.LoggerContext());
        Path fresh = dir.resolve("a.log");
        appender.openFile(fresh.toString());
        Path old = dir.resolve("b.log");
        Files.writeString(old, "x");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));
        appender.openFile(old.toString());
        appender.stop();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(old))).isEqualTo("rw-------");
    }
}
