package dev.pgfly.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a command takes a secret from (a source URL with its password, an S3 secret key): standard
 * input, a file, or an environment variable, never its own command line. Any local user reads every
 * process's arguments ({@code ps}, /proc/PID/cmdline); a process's environment only its owner and root
 * can read, a 0600 file only its owner. Issue 18, hole 2.
 *
 * <p>Pure but for the three sources it is given, so that it can be tested without a terminal.
 */
public final class SecretInput {
    /** The largest secret read from a file or standard input: a URL or a key, not a dump. */
    static final int MAX_BYTES = 64 * 1024;

    private final Function<String, String> env;
    private final InputStream stdin;

    public SecretInput(Function<String, String> env, InputStream stdin) {
        this.env = env;
        this.stdin = stdin;
    }

    /** From the process's own environment and standard input. */
    public static SecretInput system() {
        return new SecretInput(System::getenv, System.in);
    }

    public static SecretInput of(Map<String, String> env, InputStream stdin) {
        return new SecretInput(env::get, stdin);
    }

    /**
     * The first line of {@code file} ({@code -} for standard input), without its line end. Refuses an
     * empty one, and a file other users may read: a secret must not be world-readable on disk either.
     */
    public String fromFile(String file, String what) {
        byte[] bytes;
        try {
            if ("-".equals(file)) {
                bytes = stdin.readNBytes(MAX_BYTES + 1);
            } else {
                Path path = Path.of(file);
                checkPrivate(path, what);
                try (InputStream in = Files.newInputStream(path)) {
                    bytes = in.readNBytes(MAX_BYTES + 1);
                }
            }
        } catch (IOException e) {
            throw new CliException("cannot read the " + what + " from " + ("-".equals(file) ? "standard input" : file)
                    + ": " + e.getMessage());
        }
        if (bytes.length > MAX_BYTES) {
            throw new CliException("the " + what + " is longer than " + MAX_BYTES + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String line = (nl >= 0 ? text.substring(0, nl) : text).replaceFirst("\r$", "");
        if (line.isBlank()) {
            throw new CliException("the " + what + " is empty" + ("-".equals(file) ? " (nothing on standard input)" : " in " + file));
        }
        return line.strip();
    }

    /** An environment variable's value, or null when unset or empty. */
    public String fromEnv(String variable) {
        String value = env.apply(variable);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static void checkPrivate(Path path, String what) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new CliException("cannot read the " + what + " from " + path + ": not a file");
        }
        try {
            var perms = Files.getPosixFilePermissions(path);
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                throw new CliException(path + " holds the " + what + " but every user may read it: chmod 600 " + path);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }
}
