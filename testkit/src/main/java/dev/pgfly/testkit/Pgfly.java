package dev.pgfly.testkit;

import dev.pgfly.core.util.ClassDataSharing;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.core.util.Json;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real pgfly jar as a user would, against its own PGFLY_HOME, and cleans up after itself:
 * every cluster destroyed, the daemon stopped, every process it started ended (by pid), the home removed.
 */
public final class Pgfly implements AutoCloseable {
    public record Result(int exit, String out, String err) {
        public JsonNode json() {
            return Json.MAPPER.readTree(out);
        }
    }

    /** The daemon's API as last read: renewed when the daemon restarted (a new certificate, port and token). */
    private LocalDaemonApi localApi;
    private String localApiCertificate;

    private final Path home;
    private final Map<String, String> extraEnv;

    public Pgfly() throws IOException {
        this(Map.of());
    }

    public Pgfly(Map<String, String> extraEnv) throws IOException {
        this.extraEnv = extraEnv;
        // Under /tmp: PostgreSQL's OS user must be able to reach the data directories.
        this.home = Files.createTempDirectory(Path.of("/tmp"), "pgfly-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    }

    public Path home() {
        return home;
    }

    public static String jar() {
        String jar = System.getProperty("pgfly.jar", System.getenv("PGFLY_JAR"));
        return jar != null ? jar : "cli/target/pgfly.jar";
    }

    /**
     * The command line of a CLI call: C1 and the serial GC, as bin/pgfly, and the CLI's class data
     * archive beside the jar, which saves about a fifth of the CPU each call spends.
     */
    private List<String> cliCommand(String... args) {
        Path jar = Path.of(jar()).toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(commandPrefix);
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(ClassDataSharing.jvmOptions(jar, "cli"));
        cmd.addAll(List.of("-cp", jar.toString(), "dev.pgfly.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public Result run(String... args) {
        List<String> cmd = cliCommand(args);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("pgfly-out", ".txt");
            err = Files.createTempFile("pgfly-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("PGFLY_HOME", home.toString());
            pb.environment().putAll(extraEnv);
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("pgfly " + String.join(" ", args) + " hung");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            // also when the command hung or the caller was interrupted: nothing left in /tmp
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file we could not remove is not worth failing a test over
        }
    }

    /**
     * Runs independent commands two at a time (the results in the order given). Each CLI call is a JVM
     * that spends about a second of CPU starting, talking TLS and parsing JSON; refusals that change
     * nothing need not wait for one another, and two at a time keeps a 2-core host's other core for the
     * cluster under test.
     */
    public List<Result> runAll(List<List<String>> calls) {
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            List<java.util.concurrent.Future<Result>> futures = new ArrayList<>();
            for (List<String> call : calls) {
                futures.add(pool.submit(() -> run(call.toArray(String[]::new))));
            }
            List<Result> results = new ArrayList<>();
            for (java.util.concurrent.Future<Result> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Starts a long-running command (e.g. {@code logs --follow}) in the background, standard error
     * merged into standard output; the caller reads its output and ends it.
     */
    public Process start(String... args) throws IOException {
        List<String> cmd = cliCommand(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("PGFLY_HOME", home.toString());
        pb.environment().putAll(extraEnv);
        return pb.start();
    }

    /** Runs a command that must succeed. */
    public Result ok(String... args) {
        Result r = run(args);
        if (r.exit() != 0) {
            throw new AssertionError("pgfly " + String.join(" ", args) + " failed (" + r.exit() + "): " + r.err() + r.out());
        }
        return r;
    }

    public JsonNode status(String cluster) {
        return ok("status", cluster, "--json").json();
    }

    /** The leader's member entry in {@code status --json}; an AssertionError when the cluster has none. */
    public JsonNode primaryMember(String cluster) {
        JsonNode s = status(cluster);
        for (JsonNode m : s.get("members")) {
            if (m.get("name").asString().equals(s.path("leader").asString())) {
                return m;
            }
        }
        throw new AssertionError("no primary in " + s);
    }

    /** The cluster's state ({@code running}, {@code degraded}, ...) straight from the daemon's API. */
    public String stateFromDaemon(String cluster) {
        return statusFromDaemon(cluster).get("state").asString();
    }

    /**
     * The cluster's status straight from the daemon's API, for loops that ask often: a CLI process per
     * call costs a JVM start, which on a small machine slows the very cluster being watched (the chaos
     * campaign spent more time between its rounds starting {@code pgfly status} than healing). Unlike
     * {@code pgfly status --json} it carries no health checks.
     */
    public JsonNode statusFromDaemon(String cluster) {
        try {
            HttpResponse<String> response = localApi().send("GET", "/v1/clusters/" + cluster, null, Duration.ofSeconds(10));
            if (response.statusCode() != 200) {
                throw new IllegalStateException("daemon answered " + response.statusCode() + ": " + response.body());
            }
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private synchronized LocalDaemonApi localApi() throws IOException {
        String certificate = Files.readString(home.resolve("daemon/api.crt"));
        if (localApi == null || !certificate.equals(localApiCertificate)) {
            localApi = new LocalDaemonApi(home);
            localApiCertificate = certificate;
        }
        return localApi;
    }

    /** Every process of ours still alive: found by the home directory in its command line. */
    public List<ProcessHandle> processes() {
        String marker = home.toString();
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false)
                        || h.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .toList();
    }

    @Override
    public void close() throws IOException {
        keepLogs();
        try {
            Result list = run("list", "--json");
            if (list.exit() == 0) {
                for (JsonNode c : list.json()) {
                    run("destroy", c.get("name").asString(), "--yes");
                }
            }
            run("daemon", "stop");
        } finally {
            for (ProcessHandle h : processes()) {
                h.destroyForcibly();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
            }
            FileTrees.delete(home);
        }
    }

    /**
     * Copies every agent, proxy, daemon and PostgreSQL log to {@code pgfly.logs} (when set) before the
     * home is deleted, so that a failed run can be read afterwards.
     */
    private void keepLogs() {
        String target = System.getProperty("pgfly.logs");
        if (target == null) {
            return;
        }
        Path dest = Path.of(target, home.getFileName().toString());
        copyLogs(home, relative -> dest.resolve(relative.toString().replace("/data/", "/")));
    }

    /**
     * Copies every {@code *.log} file under {@code dir} to {@code into.apply(its path relative to dir)}: file by
     * file, passing over what vanishes or cannot be read. The members may still be running, and PostgreSQL
     * removes files from its data directory while the walk is under way (one such file once aborted the whole
     * copy, and a failed chaos run lost every log).
     */
    public static void copyLogs(Path dir, java.util.function.Function<Path, Path> into) {
        try {
            Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes attrs) {
                    if (p.getFileName().toString().endsWith(".log")) {
                        try {
                            Path copy = into.apply(dir.relativize(p));
                            Files.createDirectories(copy.getParent());
                            Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        } catch (IOException e) {
                            System.err.println("could not keep " + p + ": " + e);
                        }
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path p, IOException e) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            System.err.println("could not keep the logs of " + dir + ": " + e);
        }
    }

    /**
     * What every CLI call runs under, e.g. {@code ip netns exec NS} for a test host of its own
     * ({@code dev.pgfly.testkit.hosts.Host#pgfly}); empty for a local one.
     */
    private List<String> commandPrefix = List.of();

    /**
     * A pgfly whose every call runs under {@code commandPrefix} (e.g. {@code ip netns exec NS}), with
     * the given home (created if missing, reachable by PostgreSQL's OS user as with the temporary one):
     * a host's node keeps its home through a crash and a restart. close() works as for a local one:
     * its calls run under the prefix too, its processes are found by the home in their command line
     * (one process-id space for every network namespace), and the home is removed.
     */
    public Pgfly(Path home, List<String> commandPrefix, Map<String, String> extraEnv) throws IOException {
        this.extraEnv = extraEnv;
        this.commandPrefix = List.copyOf(commandPrefix);
        this.home = home.toAbsolutePath();
        if (!Files.isDirectory(this.home)) {
            Files.createDirectories(this.home);
            Files.setPosixFilePermissions(this.home, PosixFilePermissions.fromString("rwx--x--x"));
        }
    }

    public List<String> commandPrefix() {
        return commandPrefix;
    }
}
