package dev.pgfly.core.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ClassDataSharingTest {

    /** A rebuilt jar gets an archive of its own, and the archives of earlier builds of that role go. */
    @Test
    void aRebuiltJarGetsANewArchiveAndTheStaleOnesGo(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("pgfly.jar"), "first build");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.ofEpochSecond(1_700_000_000L)));
        Path cds = Files.createDirectory(dir.resolve("cds"));
        Path first = ClassDataSharing.archive(cds, jar, "cli");
        assertThat(first.getFileName().toString()).isEqualTo("cli-11-1700000000.jsa");
        Files.writeString(first, "archive");
        Files.writeString(cds.resolve("cli.jsa"), "archive of a pgfly that named it so");
        Files.writeString(cds.resolve("client-1-2.jsa"), "another role's");
        Files.writeString(cds.resolve("agent-11-1700000000.jsa"), "the agent's");
        assertThat(ClassDataSharing.archive(cds, jar, "cli")).as("the same build: the same archive, kept").isEqualTo(first);
        assertThat(first).exists();

        Files.writeString(jar, "the second build");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.ofEpochSecond(1_700_000_100L)));
        Path second = ClassDataSharing.archive(cds, jar, "cli");
        assertThat(second.getFileName().toString()).isEqualTo("cli-16-1700000100.jsa");
        assertThat(first).doesNotExist();
        assertThat(cds.resolve("cli.jsa")).doesNotExist();
        assertThat(cds.resolve("client-1-2.jsa")).exists();
        assertThat(cds.resolve("agent-11-1700000000.jsa")).exists();
    }
}
