package dev.pgfly.postgres;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ownership rule for PostgreSQL binary directories. "Us" is uid 4242 here and the test's own files
 * are made ours with chown (the build runs as root), so that another owner is simply another uid.
 */
class TrustedProgramsTest {
    private static final int US = 4242;
    private static final int OTHER = 4343;
    private static final Set<Integer> TRUSTED = Set.of(0, US);

    @TempDir
    Path tmp;
    Path bin;

    @BeforeEach
    void binaries() throws IOException {
        bin = Files.createDirectory(tmp.resolve("bin"));
        mode(tmp, "rwxr-xr-x");
        mode(bin, "rwxr-xr-x");
        for (String program : new String[] {"postgres", "initdb"}) {
            Path p = Files.writeString(bin.resolve(program), "#!/bin/sh\n");
            mode(p, "rwxr-xr-x");
        }
    }

    private static void mode(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    private static void chown(Path p, int uid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void rootsOrOurOwnProgramsInOurDirectoriesAreAccepted() throws IOException {
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).isEmpty();
        chown(bin, US);
        chown(bin.resolve("postgres"), US);
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).isEmpty();
        assertThat(TrustedPrograms.problem(Path.of("/usr/bin"), TRUSTED)).as("a system directory").isEmpty();
    }

    @Test
    void anotherUsersProgramIsRefused() throws IOException {
        chown(bin.resolve("postgres"), OTHER);
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).hasValueSatisfying(p ->
                assertThat(p).contains(bin.resolve("postgres").toString()).contains("owned by uid " + OTHER));
    }

    @Test
    void anotherUsersDirectoryAnywhereOnThePathIsRefused() throws IOException {
        chown(bin, OTHER);
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).hasValueSatisfying(p -> assertThat(p).contains("uid " + OTHER));
        chown(bin, 0);
        chown(tmp, OTHER);
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).hasValueSatisfying(p ->
                assertThat(p).startsWith(tmp + " is owned by uid " + OTHER));
    }

    @Test
    void programsOrDirectoriesOthersCanWriteAreRefused() throws IOException {
        mode(bin.resolve("initdb"), "rwxrwxr-x");
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).hasValueSatisfying(p ->
                assertThat(p).contains("initdb is writable by other users (mode 775)"));
        mode(bin.resolve("initdb"), "rwxr-xr-x");
        mode(tmp, "rwxrwxrwx");
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).hasValueSatisfying(p ->
                assertThat(p).contains(tmp + " is writable by other users (mode 777)"));
    }

    @Test
    void aStickyWorldWritableDirectoryIsTrustedOnlyOnTheWay() throws IOException {
        Files.setAttribute(tmp, "unix:mode", 01777);
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).as("like /tmp above our own directory").isEmpty();
        assertThat(TrustedPrograms.problem(tmp, TRUSTED)).as("programs right in /tmp").isPresent();
        chown(bin, OTHER);
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).as("another user's directory in /tmp").isPresent();
    }

    @Test
    void symbolicLinksAreJudgedByWhereTheyLead() throws IOException {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        mode(elsewhere, "rwxr-xr-x");
        Path evil = Files.writeString(elsewhere.resolve("evil"), "#!/bin/sh\n");
        mode(evil, "rwxr-xr-x");
        Files.delete(bin.resolve("postgres"));
        Files.createSymbolicLink(bin.resolve("postgres"), evil);
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).as("a link to a safe program").isEmpty();
        chown(elsewhere, OTHER);
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).hasValueSatisfying(p -> assertThat(p).contains("elsewhere"));
        chown(elsewhere, 0);

        Files.createSymbolicLink(bin.resolve("pg_ctl"), tmp.resolve("not-yet"));
        assertThat(TrustedPrograms.problem(bin, TRUSTED)).hasValueSatisfying(p -> assertThat(p).contains("missing file"));
        Files.delete(bin.resolve("pg_ctl"));

        // The directory through a link: its real path is what is judged.
        Path otherHome = Files.createDirectory(tmp.resolve("other-home"));
        chown(otherHome, OTHER);
        Path link = Files.createSymbolicLink(otherHome.resolve("bin"), bin);
        assertThat(TrustedPrograms.problem(link, TRUSTED)).isEmpty();
        Path theirs = Files.createDirectory(otherHome.resolve("theirs"));
        assertThat(TrustedPrograms.problem(theirs, TRUSTED)).isPresent();
    }
}
