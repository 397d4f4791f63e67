package dev.pgfly.postgres;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The postmaster of one member: started under the watchdog script (which fences it when the lease
 * runs out), stopped, signalled, and watched for exits pgfly did not ask for. What runs is read from
 * postmaster.pid, a file of PostgreSQL's user, and checked against the process table.
 */
public final class Postmaster {
    /** Longer than an archive command (a JVM start) takes on a busy host. */
    private static final Duration OLD_PROCESSES_WAIT = Duration.ofSeconds(30);

    private final PgBinaries bin;
    private final OsUser user;
    private final MemberDirectory dir;
    /** The last postmaster pid seen alive, and whether pgfly itself asked it to stop since: see {@link #takeUnexpectedExit()}. */
    private volatile long lastSeenPid;
    private volatile boolean stopRequested;
    private long unexpectedExit;

    public Postmaster(PgBinaries bin, OsUser user, MemberDirectory dir) {
        this.bin = bin;
        this.user = user;
        this.dir = dir;
    }

    /** Starts the postmaster under the watchdog and waits until it accepts connections (or is a hot standby). */
    public long start(Duration wait) throws IOException {
        Optional<Long> running = pid();
        if (running.isPresent()) {
            return running.get();
        }
        noteUnexpectedExit();
        awaitOldProcessesGone(OLD_PROCESSES_WAIT);
        Files.deleteIfExists(dir.dataDir().resolve("postmaster.pid.stale"));
        PostgresLog.createPrivate(dir.logFile());
        Path script = dir.watchdogScript();
        try (InputStream in = Postmaster.class.getResourceAsStream("pgfly-watchdog.sh")) {
            Files.write(script, in.readAllBytes());
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        List<String> argv = new ArrayList<>(List.of("bash", script.toString(), dir.leaseFile().toString(), "--"));
        argv.addAll(user.wrap(List.of(bin.tool("postgres"), "-D", dir.dataDir().toString())));
        Process watchdog = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Instant deadline = Instant.now().plus(wait);
        while (Instant.now().isBefore(deadline)) {
            String status = status().orElse("");
            if (status.equals("ready") || status.equals("standby")) {
                long pid = pid().orElseThrow(() -> new IOException("PostgreSQL exited right after starting"));
                stopRequested = false;
                return pid;
            }
            if (!watchdog.isAlive()) {
                throw new IOException("PostgreSQL did not start: " + PostgresLog.lastLine(dir.logFile()));
            }
            sleep(50);
        }
        throw new IOException("PostgreSQL did not become ready within " + wait.toSeconds() + " s: "
                + PostgresLog.lastLine(dir.logFile()));
    }

    /**
     * Waits, at most {@code max}, until no process of an earlier postmaster is attached to its shared
     * memory any more. A postmaster killed with -9 leaves its children behind for a while: a backend until
     * it notices, the archiver until its archive command (a JVM start, seconds on a busy host) returns.
     * PostgreSQL refuses to start beside them ("pre-existing shared memory block is still in use"), and
     * until they exit they still write into the data directory (the archiver marks segments done), a
     * directory pgfly may be about to move aside or rewind. The test is PostgreSQL's own: the attach
     * count of the segment named in postmaster.pid, from /proc/sysvipc/shm.
     *
     * @return whether nothing is attached (also when there is no postmaster.pid or no such segment)
     */
    public boolean awaitOldProcessesGone(Duration max) {
        if (isRunning()) {
            return false;
        }
        OptionalLong shmid = sharedMemoryId(pidFileLines());
        if (shmid.isEmpty()) {
            return true;
        }
        Instant deadline = Instant.now().plus(max);
        while (attachedProcesses(shmid.getAsLong()) > 0) {
            if (!Instant.now().isBefore(deadline)) {
                return false;
            }
            sleep(100);
        }
        return true;
    }

    /** The shared memory segment's id: postmaster.pid's seventh line is "key id". */
    static OptionalLong sharedMemoryId(List<String> pidFileLines) {
        if (pidFileLines.size() < 7) {
            return OptionalLong.empty();
        }
        String[] keyAndId = pidFileLines.get(6).strip().split("\\s+");
        try {
            return keyAndId.length == 2 ? OptionalLong.of(Long.parseLong(keyAndId[1])) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static int attachedProcesses(long shmid) {
        try {
            return attachedProcesses(Files.readString(Path.of("/proc/sysvipc/shm")), shmid);
        } catch (IOException e) {
            return 0; // no System V IPC table to ask: let PostgreSQL's own check speak
        }
    }

    /** nattch of segment {@code shmid} in /proc/sysvipc/shm (columns: key shmid perms size cpid lpid nattch ...); 0 if absent. */
    static int attachedProcesses(String sysvipcShm, long shmid) {
        for (String line : sysvipcShm.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 7 && f[1].equals(Long.toString(shmid))) {
                try {
                    return Integer.parseInt(f[6]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** The postmaster's pid when it is running, from postmaster.pid checked against the process table. */
    public Optional<Long> pid() {
        List<String> lines = pidFileLines();
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(lines.getFirst().strip());
            Optional<Long> alive = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> pid);
            alive.ifPresent(p -> lastSeenPid = p);
            return alive;
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Line 8 of postmaster.pid: starting, stopping, ready or standby. */
    public Optional<String> status() {
        if (pid().isEmpty()) {
            return Optional.empty();
        }
        List<String> lines = pidFileLines();
        return lines.size() >= 8 ? Optional.of(lines.get(7).strip()) : Optional.of("starting");
    }

    /** postmaster.pid, written by PostgreSQL's user: read without following a link, like every file there. */
    private List<String> pidFileLines() {
        Path pidFile = dir.dataDir().resolve("postmaster.pid");
        try {
            return OwnedFiles.readRegular(pidFile).map(s -> s.lines().toList()).orElse(List.of());
        } catch (IOException e) {
            return List.of();
        }
    }

    public boolean isRunning() {
        return pid().isPresent();
    }

    /**
     * The pid of a postmaster that was seen running and is gone although pgfly did not stop it
     * (killed, crashed, fenced by the watchdog); reported once, then forgotten.
     */
    public synchronized Optional<Long> takeUnexpectedExit() {
        noteUnexpectedExit();
        long pid = unexpectedExit;
        unexpectedExit = 0;
        return pid == 0 ? Optional.empty() : Optional.of(pid);
    }

    /** Also called right before a start, so that an exit is not missed when the restart comes first. */
    private synchronized void noteUnexpectedExit() {
        long seen = lastSeenPid;
        if (seen != 0 && !stopRequested && pid().isEmpty()) {
            unexpectedExit = seen;
            lastSeenPid = 0;
        }
    }

    /** Stops PostgreSQL with pg_ctl in the given mode, waiting at most {@code timeout}. */
    public void stop(ShutdownMode mode, Duration timeout) throws IOException {
        stopRequested = true;
        if (!isRunning()) {
            return;
        }
        Command.Result r = Command.run(user.wrap(List.of(bin.tool("pg_ctl"), "stop", "-D", dir.dataDir().toString(),
                "-m", mode.pgCtlName(), "-w", "-t", Long.toString(Math.max(1, timeout.toSeconds())))), Map.of(),
                timeout.plusSeconds(5));
        if (!r.ok() && isRunning()) {
            throw new IOException("pg_ctl stop -m " + mode.pgCtlName() + " failed: " + r.lastLine());
        }
    }

    /**
     * Asks for a shutdown by signal, without pg_ctl and without waiting: fencing sends
     * {@link ShutdownMode#IMMEDIATE}'s SIGQUIT.
     */
    public void signal(ShutdownMode mode) {
        stopRequested = true;
        // postmaster.pid is PostgreSQL's user's file: signal its pid only if that user runs it, never
        // another process someone wrote the number of.
        pid().flatMap(ProcessHandle::of).filter(this::runsAsPostgresUser).ifPresent(p -> Command.run(
                List.of("kill", "-" + mode.signal(), Long.toString(p.pid())), Map.of(), Duration.ofSeconds(5)));
    }

    private boolean runsAsPostgresUser(ProcessHandle p) {
        return !user.dropsPrivileges() || p.info().user().map(user.name()::equals).orElse(false);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
