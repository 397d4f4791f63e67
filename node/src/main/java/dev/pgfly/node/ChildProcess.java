package dev.pgfly.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One supervised child (an agent or a proxy): started, restarted with exponential backoff when it
 * exits on its own, stopped with SIGTERM (then SIGKILL). Its pid is kept in a file so that a daemon
 * that was killed can end its orphans on the next start.
 */
final class ChildProcess {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final long HEALTHY_AFTER_MILLIS = 60_000;

    private final String id;
    private final List<String> command;
    private final Path logFile;
    private final Path pidFile;
    private final Consumer<Restart> onRestart;
    private Process process;
    private volatile boolean stopping;
    private long backoffMillis = 500;
    private long startedAt;
    private int restarts;

    /** A child that exited on its own and was started again: which, its former pid and exit code, how many times. */
    record Restart(String id, long pid, int exitCode, int count) {
    }

    ChildProcess(String id, List<String> command, Path logFile, Path pidFile, Consumer<Restart> onRestart) {
        this.id = id;
        this.command = List.copyOf(command);
        this.logFile = logFile;
        this.pidFile = pidFile;
        this.onRestart = onRestart;
    }

    String id() {
        return id;
    }

    synchronized void start() throws IOException {
        privateLog(logFile);
        process = dev.pgfly.core.util.JvmFootprint.withFewMallocArenas(new ProcessBuilder(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        startedAt = System.currentTimeMillis();
        Files.createDirectories(pidFile.getParent());
        Files.writeString(pidFile, process.pid() + "\n" + id + "\n");
        Process watched = process;
        watched.onExit().thenAccept(p -> exited(watched));
        log.info("started {} (pid {})", id, process.pid());
    }

    /**
     * A child's output is for pgfly's user only: its directory 0700 and the file 0600, made so before
     * the redirect opens it (which would create it with the umask's 0644). It quotes errors and, for an
     * agent that fails early, what PostgreSQL said.
     */
    static void privateLog(Path logFile) throws IOException {
        Path dir = logFile.getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        dev.pgfly.core.util.PrivateFiles.privateLog(logFile);
    }

    private void exited(Process p) {
        synchronized (this) {
            if (stopping || p != process) {
                return;
            }
            if (System.currentTimeMillis() - startedAt > HEALTHY_AFTER_MILLIS) {
                backoffMillis = 500;
            }
            log.warn("{} (pid {}) exited with {}; restarting in {} ms", id, p.pid(), p.exitValue(), backoffMillis);
        }
        long wait = backoffMillis;
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(wait);
                synchronized (this) {
                    if (stopping) {
                        return;
                    }
                    restarts++;
                    start();
                }
                onRestart.accept(new Restart(id, p.pid(), p.exitValue(), restarts));
            } catch (Exception e) {
                log.error("could not restart {}: {}", id, e.toString());
            }
        });
    }

    Optional<Long> pid() {
        Process p = process;
        return p != null && p.isAlive() ? Optional.of(p.pid()) : Optional.empty();
    }

    int restarts() {
        return restarts;
    }

    /** SIGTERM, and SIGKILL after {@code graceSeconds}: an agent stops PostgreSQL cleanly on SIGTERM. */
    void stop(long graceSeconds) {
        Process p;
        synchronized (this) {
            stopping = true;
            p = process;
        }
        if (p != null && p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                    log.warn("{} did not stop within {} s: killing it", id, graceSeconds);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            log.debug("could not remove {}", pidFile);
        }
    }

    /** Ends a child left running by a previous daemon, if the pid still names one of ours. */
    static void endOrphan(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile);
            long pid = Long.parseLong(lines.getFirst().strip());
            ProcessHandle.of(pid).filter(h -> h.info().commandLine().map(c -> c.contains("dev.pgfly")).orElse(false))
                    .ifPresent(h -> {
                        log.info("ending {} left by a previous daemon (pid {})", lines.size() > 1 ? lines.get(1) : "child", pid);
                        h.destroy();
                        try {
                            h.onExit().get(60, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            h.destroyForcibly();
                        }
                    });
            Files.deleteIfExists(pidFile);
        } catch (IOException | RuntimeException e) {
            log.debug("could not read {}: {}", pidFile, e.toString());
        }
    }
}
