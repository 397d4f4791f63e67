package dev.pgfly.core.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrivateFilesTest {
    @TempDir
    Path tmp;

    @Test
    void generatedSecretsArePrivate() throws Exception {
        Path dir = tmp.resolve("secrets");
        Secrets.generate().writeTo(dir);
        assertThat(PrivateFiles.problem(dir)).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("token")))).isEqualTo("rw-------");
    }

    @Test
    void aReadableFileIsRefusedWithTheFixInOneLine() throws Exception {
        Path dir = tmp.resolve("secrets");
        Secrets.generate().writeTo(dir);
        Files.setPosixFilePermissions(dir.resolve("token"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> PrivateFiles.requirePrivate(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("token is accessible to other users").hasMessageContaining("chmod 600")
                .hasMessageNotContaining("\n");
    }

    @Test
    void anOpenDirectoryOrALinkIsRefused() throws Exception {
        Path dir = tmp.resolve("secrets");
        Secrets.generate().writeTo(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(PrivateFiles.problem(dir)).hasValueSatisfying(p -> assertThat(p).contains("chmod 700"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(dir.resolve("link"), Path.of("/etc/hostname"));
        assertThat(PrivateFiles.problem(dir)).hasValueSatisfying(p -> assertThat(p).contains("symbolic link"));
    }

    @Test
    void aMissingDirectoryIsNoProblem() throws Exception {
        assertThat(PrivateFiles.problem(tmp.resolve("none"))).isEmpty();
    }
}
