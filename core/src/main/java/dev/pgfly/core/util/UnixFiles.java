package dev.pgfly.core.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The few Unix facts the security checks need and the JDK only offers through its {@code unix:}
 * attribute view: numeric owners and full modes (with the sticky bit), always read with lstat (never
 * following a final symbolic link), and this process's own uid.
 */
public final class UnixFiles {
    public static final int STICKY = 01000;
    public static final int GROUP_WRITE = 0020;
    public static final int OTHER_WRITE = 0002;

    private UnixFiles() {
    }

    /** The effective uid of this process: the owner of {@code /proc/self}. */
    public static int currentUid() {
        try {
            return (int) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new IllegalStateException("cannot tell this process's uid from /proc/self: " + e.getMessage(), e);
        }
    }

    /** The numeric owner of {@code path} itself (a symbolic link's own owner, not its target's). */
    public static int uid(Path path) throws IOException {
        return (int) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    /** The mode bits of {@code path} itself, including the file type and the sticky bit. */
    public static int mode(Path path) throws IOException {
        return (int) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }
}
