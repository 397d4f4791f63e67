package dev.pgfly.testkit.hosts;

import dev.pgfly.testkit.Pgfly;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs `ip` and `iptables` (and any command) to the end, with its output; a failure is one line. */
final class Ip {
    /** The exit status of a command that {@link #run} ended after its timeout, as coreutils' timeout. */
    static final int TIMED_OUT = 124;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private Ip() {
    }

    /** The command by absolute path: a JVM's PATH may lack the sbin directories that hold both. */
    static Optional<String> executable(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
                .filter(Files::isExecutable).map(Path::toString).findFirst();
    }

    static String ipCommand() {
        return executable("ip").orElse("ip");
    }

    /** `ip ARGS`, which must succeed; its standard output. */
    static String ip(String... args) {
        return mustSucceed(command(ipCommand(), args));
    }

    /** `ip ARGS` where failing is fine (cleanup of what may already be gone); whether it succeeded. */
    static boolean ipQuietly(String... args) {
        return run(ADMIN_TIMEOUT, Map.of(), command(ipCommand(), args)).exit() == 0;
    }

    /** `iptables -w ARGS`, in namespace {@code namespace} when not null; must succeed. */
    static String iptables(String namespace, String... args) {
        return mustSucceed(iptablesCommand(namespace, args));
    }

    static boolean iptablesQuietly(String namespace, String... args) {
        return run(ADMIN_TIMEOUT, Map.of(), iptablesCommand(namespace, args)).exit() == 0;
    }

    private static List<String> iptablesCommand(String namespace, String... args) {
        List<String> cmd = new ArrayList<>();
        if (namespace != null) {
            cmd.addAll(List.of(ipCommand(), "netns", "exec", namespace));
        }
        cmd.add(executable("iptables").orElse("iptables"));
        cmd.add("-w");
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static List<String> command(String program, String... args) {
        List<String> cmd = new ArrayList<>(List.of(program));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String mustSucceed(List<String> cmd) {
        Pgfly.Result r = run(ADMIN_TIMEOUT, Map.of(), cmd);
        if (r.exit() != 0) {
            String reason = (r.err().isBlank() ? r.out() : r.err()).strip().replace('\n', ' ');
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.exit() + "): " + reason);
        }
        return r.out();
    }

    /**
     * Runs {@code command} with {@code env} added to this JVM's environment, output to files (a
     * background child that keeps them open cannot block us). After {@code timeout} the command is
     * killed and the result's exit is {@link #TIMED_OUT}, with what it printed so far.
     */
    static Pgfly.Result run(Duration timeout, Map<String, String> env, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("pgfly-hosts-out", ".txt");
            err = Files.createTempFile("pgfly-hosts-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            int exit;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exit = p.exitValue();
            } else {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                exit = TIMED_OUT;
            }
            return new Pgfly.Result(exit, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file left in /tmp is not worth failing a test over
            }
        }
    }
}
