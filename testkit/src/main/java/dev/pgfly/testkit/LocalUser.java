package dev.pgfly.testkit;

import dev.pgfly.core.util.FileTrees;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A second, unprivileged local OS user for attack tests: made with {@code useradd} (a random name, no
 * login shell, a private home under /tmp), acting through {@code setpriv} with its own uid, gid and no
 * supplementary groups, and removed with {@code userdel} afterwards together with every process it still
 * runs (by pid, found by uid) and its home.
 *
 * <p>Programs the attacker runs are either commands ({@link #run}) or one-file Java programs
 * ({@link #java}): the source is copied into the attacker's home and started with the JDK's source
 * launcher, so an attack needs nothing of pgfly's class path (the attacker could not read it anyway when
 * the checkout is private).
 */
public final class LocalUser implements AutoCloseable {
    public record Result(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }
    }

    private final String name;
    private final int uid;
    private final int gid;
    private final Path home;
    private final List<Process> started = new ArrayList<>();

    private LocalUser(String name, int uid, int gid, Path home) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
        this.home = home;
    }

    /** A new user {@code pgflyprobeNNNNN}; the caller must be root. */
    public static LocalUser create() throws IOException, InterruptedException {
        String name = "pgflyprobe" + ThreadLocalRandom.current().nextInt(10_000, 100_000);
        Path home = Path.of("/tmp", name + "-home");
        Result made = exec(List.of("useradd", "--user-group", "--no-create-home", "--home-dir", home.toString(),
                "--shell", "/usr/sbin/nologin", name), Duration.ofSeconds(30));
        if (!made.ok()) {
            throw new IllegalStateException("useradd " + name + ": " + made.err());
        }
        int uid = Integer.parseInt(exec(List.of("id", "-u", name), Duration.ofSeconds(10)).out().strip());
        int gid = Integer.parseInt(exec(List.of("id", "-g", name), Duration.ofSeconds(10)).out().strip());
        Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        exec(List.of("chown", uid + ":" + gid, home.toString()), Duration.ofSeconds(10));
        return new LocalUser(name, uid, gid, home);
    }

    public String name() {
        return name;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** The attacker's own directory (mode 0700, owned by it). */
    public Path home() {
        return home;
    }

    /** Runs {@code command} as this user and waits for it (at most {@code timeout}). */
    public Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        return exec(asUser(List.of(command)), timeout);
    }

    /** Starts {@code command} as this user in the background; {@link #close} ends it if still running. */
    public Process start(String... command) throws IOException {
        Path log = home.resolve("bg-" + started.size() + ".log");
        Process p = new ProcessBuilder(asUser(List.of(command))).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    /**
     * Runs a one-file Java program ({@code source}, whose first top-level class has a {@code main}) as this
     * user with the running JDK's source launcher, and waits for it.
     */
    public Result java(String fileName, String source, Duration timeout, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                writeSource(fileName, source).toString()));
        cmd.addAll(List.of(args));
        return exec(asUser(cmd), timeout);
    }

    /** Starts a one-file Java program as this user in the background (a listener, a flood). */
    public Process startJava(String fileName, String source, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                writeSource(fileName, source).toString()));
        cmd.addAll(List.of(args));
        return start(cmd.toArray(String[]::new));
    }

    /** What a background program of this user printed so far (standard output and error together). */
    public String output(Process p) throws IOException {
        int index = started.indexOf(p);
        Path log = home.resolve("bg-" + index + ".log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private Path writeSource(String fileName, String source) throws IOException, InterruptedException {
        Path file = home.resolve(fileName);
        Files.writeString(file, source, StandardCharsets.UTF_8);
        exec(List.of("chown", uid + ":" + gid, file.toString()), Duration.ofSeconds(10));
        return file;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private List<String> asUser(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                "--reset-env", "--"));
        cmd.addAll(command);
        return cmd;
    }

    private static Result exec(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("localuser-out", ".txt");
        Path err = Files.createTempFile("localuser-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Result(-1, Files.readString(out), Files.readString(err) + "\n(timed out)");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Ends every process of this user (its own and any it left behind, found by uid), then removes it. */
    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (String pid : exec(List.of("pgrep", "-u", Integer.toString(uid)), Duration.ofSeconds(10)).out().split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        Result gone = exec(List.of("userdel", name), Duration.ofSeconds(30));
        if (!gone.ok()) {
            System.err.println("userdel " + name + ": " + gone.err());
        }
        FileTrees.delete(home);
        // A JVM of this user's that ran with performance data on (a command of its own) leaves this behind.
        FileTrees.delete(Path.of("/tmp", "hsperfdata_" + name));
    }
}
