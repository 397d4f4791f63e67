package dev.pgfly.core.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * A cluster's secrets, one file each, readable by their owner only (mode 0600): the superuser's,
 * the replication role's, the agent role's and the monitoring role's passwords, and the token that
 * guards mutating API calls. The monitoring password is null for clusters created before pgfly had
 * that role (their agents monitor with their own role, as before).
 */
public record Secrets(String superuserPassword, String replicationPassword, String agentPassword, String token,
                      String monitorPassword) {
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    public static Secrets generate() {
        return new Secrets(random(24), random(24), random(24), random(40), random(24));
    }

    /** A random string over an alphabet that needs no quoting in URLs, SQL literals or pgpass. */
    public static String random(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        writePrivate(dir.resolve("superuser.password"), superuserPassword);
        writePrivate(dir.resolve("replication.password"), replicationPassword);
        writePrivate(dir.resolve("agent.password"), agentPassword);
        writePrivate(dir.resolve("token"), token);
        if (monitorPassword != null) {
            writePrivate(dir.resolve("monitor.password"), monitorPassword);
        }
    }

    public static Secrets readFrom(Path dir) throws IOException {
        return new Secrets(read(dir, "superuser.password"), read(dir, "replication.password"),
                read(dir, "agent.password"), read(dir, "token"),
                Files.exists(dir.resolve("monitor.password")) ? read(dir, "monitor.password") : null);
    }

    private static String read(Path dir, String name) throws IOException {
        return Files.readString(dir.resolve(name)).strip();
    }

    /**
     * Writes {@code file} anew, readable by its owner only: a fresh file (mode 0600, created exclusively,
     * never through a symbolic link) renamed over the old one, so that a reader sees the old content or
     * the new, and nothing planted at either name is followed.
     */
    public static void writePrivate(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        try (SeekableByteChannel ch = Files.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
