package dev.pgfly.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresLogRotationTest {

    @Test
    void copiesThenTruncatesAndAnAppendingWriterCarriesOn(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("postgres.log");
        PostgresLogRotation rotation = new PostgresLogRotation(log, 100, 2, null);
        // The writer holds one append-mode descriptor throughout, as PostgreSQL does.
        try (FileOutputStream writer = new FileOutputStream(log.toFile(), true)) {
            writer.write("short\n".getBytes(StandardCharsets.UTF_8));
            assertThat(rotation.rotateIfLarge()).as("under the limit").isFalse();

            writer.write("x".repeat(120).concat("\n").getBytes(StandardCharsets.UTF_8));
            assertThat(rotation.rotateIfLarge()).isTrue();
            assertThat(Files.readString(rotation.numbered(1))).startsWith("short\nxxx").hasSize(6 + 121);
            assertThat(Files.size(log)).isZero();

            writer.write("after the first rotation\n".getBytes(StandardCharsets.UTF_8));
            assertThat(Files.readString(log)).as("no hole of zeros before the new line")
                    .isEqualTo("after the first rotation\n");

            writer.write("y".repeat(120).concat("\n").getBytes(StandardCharsets.UTF_8));
            assertThat(rotation.rotateIfLarge()).isTrue();
            assertThat(Files.readString(rotation.numbered(1))).startsWith("after the first rotation\nyyy");
            assertThat(Files.readString(rotation.numbered(2))).startsWith("short\n");

            writer.write("z".repeat(120).concat("\n").getBytes(StandardCharsets.UTF_8));
            assertThat(rotation.rotateIfLarge()).isTrue();
            assertThat(Files.readString(rotation.numbered(2))).as("the oldest copy is dropped")
                    .startsWith("after the first rotation\n");
            assertThat(rotation.numbered(3)).doesNotExist();
            assertThat(Files.getPosixFilePermissions(rotation.numbered(1)))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    void missingFileIsNothingToDo(@TempDir Path dir) throws Exception {
        assertThat(new PostgresLogRotation(dir.resolve("none.log"), 1, 3, null).rotateIfLarge()).isFalse();
    }
}
