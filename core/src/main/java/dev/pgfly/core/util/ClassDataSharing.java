package dev.pgfly.core.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * JVM options that give each kind of pgfly JVM (cli, daemon, agent, proxy) a class data archive of
 * its own, in a {@code cds} directory beside the jar. The JVM writes the archive when it first exits
 * and maps it at every start after, so a short command spends less CPU starting (`pgfly list`: 2.1 s
 * of CPU without, 1.7 s with, JDK 25, 2026-12-06). On a small host every CLI call and agent start
 * takes that CPU from the PostgreSQL servers beside it. Each build of the jar has archives of its own
 * ({@link #archive}): the JVM does not replace an archive made for another jar.
 *
 * <p>Two JVM behaviours shape this. An archive the JVM cannot write ends it with exit code 1 at exit,
 * so the options are given only for a directory that is there and writable. And the JVM's CDS
 * messages, hundreds of lines when it writes an archive, go to standard output by default, where a
 * command's {@code --json} is: CDS logging is off and other JVM warnings go to standard error.
 */
public final class ClassDataSharing {
    private ClassDataSharing() {
    }

    /** The options for a JVM of the given role running {@code jar}; none when the jar's directory is read-only. */
    public static List<String> jvmOptions(Path jar, String role) {
        if (!jar.getFileName().toString().endsWith(".jar") || !Files.isRegularFile(jar)) {
            return List.of(); // classes from a build tree (unit tests): nothing stable to archive against
        }
        Path dir = jar.toAbsolutePath().normalize().getParent().resolve("cds");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return List.of();
        }
        if (!Files.isWritable(dir)) {
            return List.of();
        }
        return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive(dir, jar, role),
                "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xlog:cds*=off:stderr");
    }

    /**
     * The archive of {@code role} for this build of {@code jar}: {@code ROLE-SIZE-MTIME.jsa}, the jar's size and
     * modification time (seconds, as {@code bin/pgfly} names the CLI's with {@code stat}). The JVM does not
     * replace an archive made for another jar: it runs without it and leaves it there (JDK 25: "shared class
     * paths mismatch"), so one fixed name meant that after the first rebuild every JVM ran without an archive
     * for good. Archives of earlier builds of the role are removed when the new one is first named (a JVM
     * that still maps one keeps its pages).
     */
    public static Path archive(Path dir, Path jar, String role) {
        String stamp;
        try {
            stamp = Files.size(jar) + "-" + Files.getLastModifiedTime(jar).to(java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException e) {
            stamp = "0-0";
        }
        Path current = dir.resolve(role + "-" + stamp + ".jsa");
        if (!Files.exists(current)) {
            try (var old = Files.newDirectoryStream(dir, role + "{,-*-*}.jsa")) {
                for (Path p : old) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // another JVM removed it first, or the directory is not ours to clean: the new name still holds
            }
        }
        return current;
    }

    /**
     * The jar this JVM runs from, as one absolute path without {@code ..}: children started with it
     * name the jar the same way, which the archive's check of the class path needs.
     */
    public static String classPath() {
        String cp = System.getProperty("java.class.path");
        return cp.contains(java.io.File.pathSeparator) ? cp : Path.of(cp).toAbsolutePath().normalize().toString();
    }
}
