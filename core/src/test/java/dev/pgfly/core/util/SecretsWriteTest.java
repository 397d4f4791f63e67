package dev.pgfly.core.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Secrets#writePrivate}: 0600, replaced whole, and never written through a link planted at its name. */
class SecretsWriteTest {
    @Test
    void aSecretIsPrivateAndReplacesTheOldOneWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Secrets.writePrivate(file, "first");
        Secrets.writePrivate(file, "second");
        assertThat(Files.readString(file)).isEqualTo("second");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("token");
        }
    }

    @Test
    void aLinkPlantedAtItsNameIsReplacedNotFollowed(@TempDir Path dir) throws Exception {
        Path elsewhere = dir.resolve("elsewhere");
        Files.writeString(elsewhere, "untouched");
        Path file = dir.resolve("daemon.json");
        Files.createSymbolicLink(file, elsewhere);
        Secrets.writePrivate(file, "{}");
        assertThat(Files.readString(elsewhere)).isEqualTo("untouched");
        assertThat(Files.isSymbolicLink(file)).isFalse();
        assertThat(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(file)).isEqualTo("{}");
    }
}
