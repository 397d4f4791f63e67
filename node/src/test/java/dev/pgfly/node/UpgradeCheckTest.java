package dev.pgfly.node;

import dev.pgfly.postgres.PgBinaries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpgradeCheckTest {
    @TempDir
    Path dir;

    /** A directory whose {@code postgres} says it is {@code version}, with an {@code initdb} beside it. */
    private Path fakeBinaries(String version) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin-" + version));
        script(bin.resolve("postgres"), "echo 'postgres (PostgreSQL) " + version + "'");
        script(bin.resolve("initdb"), "exit 0");
        return bin;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void theSameMajorVersionIsAccepted() throws IOException {
        Path bin = fakeBinaries("16.4");
        PgBinaries accepted = UpgradeCheck.check(bin.toString(), 16);
        assertThat(accepted.majorVersion()).isEqualTo(16);
        assertThat(accepted.binDir()).isEqualTo(bin.toAbsolutePath());
    }

    @Test
    void anotherMajorVersionIsRefusedWithTheReason() throws IOException {
        Path bin = fakeBinaries("16.4");
        assertThatThrownBy(() -> UpgradeCheck.check(bin.toString(), 15))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(bin + " is PostgreSQL 16; the cluster runs 15: major upgrades need pg_upgrade,"
                        + " which pgfly does not do yet");
    }

    @Test
    void aDirectoryWithoutPostgresIsRefused() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("postgres"), "not a program");
        assertThatThrownBy(() -> UpgradeCheck.check(empty.toString(), 15))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no PostgreSQL server binaries").hasMessageContaining(empty.toString());
        assertThatThrownBy(() -> UpgradeCheck.check(dir.resolve("missing").toString(), 15))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PostgreSQL server binaries");
    }

    @Test
    void aProgramThatIsNotPostgresIsRefused() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("impostor"));
        script(bin.resolve("postgres"), "echo 'something else 1.0'");
        script(bin.resolve("initdb"), "exit 0");
        assertThatThrownBy(() -> UpgradeCheck.check(bin.toString(), 15))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot tell the PostgreSQL version");
    }

    @Test
    void noDirectoryIsRefused() {
        assertThatThrownBy(() -> UpgradeCheck.check(" ", 15)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--pg-bin DIR is required");
    }
}
