package dev.pgfly.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One PostgreSQL instance on this host: its member directory, data directory and processes.
 * Every PostgreSQL program runs as {@link OsUser}; the postmaster runs under the watchdog script.
 *
 * <pre>
 * member-dir/       mode 0710, group of PostgreSQL's OS user: only it may pass through, nobody else may enter
 *   data/            PGDATA, owned by the PostgreSQL OS user
 *   postgres.log     PostgreSQL's own log (0600)
 *   pgpass           libpq password file for replication and pg_rewind (mode 0600)
 *   lease.uptime     the watchdog lease: a deadline in ms of the monotonic clock (/proc/uptime), 0 when not a primary
 *   lease            the same deadline on the wall clock, for watchdogs an older pgfly started
 *   pgfly-watchdog.sh
 *   tls/             with TLS on: server.crt, server.key (0600, PostgreSQL's user), root.crt (the cluster's CA);
 *                    outside PGDATA, so that clones and snapshots never carry a member's key
 * </pre>
 */
public final class PgInstance {
    private final PgBinaries bin;
    private final OsUser user;
    private final Path memberDir;
    private final String host;
    private final int port;
    private final boolean tls;
    /** The last postmaster pid seen alive, and whether pgfly itself asked it to stop since: see {@link #takeUnexpectedExit()}. */
    private volatile long lastSeenPid;
    private volatile boolean stopRequested;
    private long unexpectedExit;
    /** Longer than an archive command (a JVM start) takes on a busy host. */
    private static final Duration OLD_PROCESSES_WAIT = Duration.ofSeconds(30);
    private static final String SET_ASIDE_PREFIX = "data.old-";

    public PgInstance(PgBinaries bin, OsUser user, Path memberDir, String host, int port) {
        this(bin, user, memberDir, host, port, false);
    }

    /** @param tls PostgreSQL serves TLS only, with the files of {@link #installTls} */
    public PgInstance(PgBinaries bin, OsUser user, Path memberDir, String host, int port, boolean tls) {
        this.bin = bin;
        this.user = user;
        this.memberDir = memberDir.toAbsolutePath();
        this.host = host;
        this.port = port;
        this.tls = tls;
    }

    public boolean tls() {
        return tls;
    }

    public Path tlsDir() {
        return memberDir.resolve("tls");
    }

    /** How pgfly's clients on this member connect to PostgreSQL servers of the cluster (this one included). */
    public PgTls clientTls() {
        return tls ? new PgTls(tlsDir().resolve("root.crt"), tlsDir().resolve("server.crt"), tlsDir().resolve("server.key"))
                : PgTls.OFF;
    }

    /**
     * Installs the server's certificate and key and the cluster's CA for PostgreSQL: certificates
     * readable by all, the key 0600 and owned by PostgreSQL's user (it refuses a key others can read).
     * Each file is replaced atomically and only when it changed; returns whether any did (a reload then
     * makes PostgreSQL use them).
     */
    public boolean installTls(String caPem, String certificatePem, String keyPem) throws IOException {
        Path dir = tlsDir();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        boolean changed = OwnedFiles.replaceIfChanged(dir.resolve("root.crt"), caPem, "rw-r--r--", user);
        changed |= OwnedFiles.replaceIfChanged(dir.resolve("server.crt"), certificatePem, "rw-r--r--", user);
        changed |= OwnedFiles.replaceIfChanged(dir.resolve("server.key"), keyPem, "rw-------", user);
        return changed;
    }

    public Path dataDir() {
        return memberDir.resolve("data");
    }

    public Path memberDir() {
        return memberDir;
    }

    public Path logFile() {
        return memberDir.resolve("postgres.log");
    }

    public Path leaseFile() {
        return memberDir.resolve("lease.uptime");
    }

    /** The lease as watchdogs before the monotonic one read it: a deadline in ms of the wall clock. */
    Path legacyLeaseFile() {
        return memberDir.resolve("lease");
    }

    public Path passFile() {
        return memberDir.resolve("pgpass");
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public PgBinaries binaries() {
        return bin;
    }

    public boolean hasData() {
        return Files.exists(dataDir().resolve("PG_VERSION"));
    }

    /** Creates the member directory (searchable by the PostgreSQL user only) and an empty data directory it owns. */
    public void prepareDirectories() throws IOException {
        prepareMemberDir(memberDir, user);
        if (!Files.exists(dataDir())) {
            Files.createDirectory(dataDir());
        }
        Files.setPosixFilePermissions(dataDir(), PosixFilePermissions.fromString("rwx------"));
        user.own(dataDir());
    }

    /**
     * Creates a member directory (or fixes an existing one): owned by pgfly's user, and only searchable,
     * not readable, by PostgreSQL's OS user through its group (mode 0710). Nobody else may enter it: it
     * holds the logs (a password typed into a failing statement ends up in postgres.log), the lease and
     * the password file. PostgreSQL's user needs to pass through it to its data directory, TLS files and
     * password file, and may not create or rename anything in it: that is what makes it the safe place
     * from which {@link OwnedFiles} renames new files into the data directory.
     */
    public static void prepareMemberDir(Path memberDir, OsUser user) throws IOException {
        Files.createDirectories(memberDir);
        if (user.dropsPrivileges()) {
            Files.getFileAttributeView(memberDir, java.nio.file.attribute.PosixFileAttributeView.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).setGroup(user.group(memberDir));
            Files.setPosixFilePermissions(memberDir, PosixFilePermissions.fromString("rwx--x---"));
        } else {
            Files.setPosixFilePermissions(memberDir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    public void initdb(String superuserPassword) throws IOException {
        prepareDirectories();
        Path pwfile = memberDir.resolve("initdb.pw");
        writePrivate(pwfile, superuserPassword + "\n");
        try {
            Command.Result r = Command.run(user.wrap(List.of(bin.tool("initdb"), "-D", dataDir().toString(),
                    "--username=" + PgConfig.SUPERUSER, "--pwfile=" + pwfile, "--auth=scram-sha-256",
                    "--data-checksums", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")),
                    Map.of(), Duration.ofMinutes(5));
            if (!r.ok()) {
                throw new IOException("initdb failed: " + r.lastLine());
            }
        } finally {
            Files.deleteIfExists(pwfile);
        }
    }

    /**
     * Writes pgfly.conf and pg_hba.conf, and makes postgresql.conf include pgfly.conf (once). With TLS,
     * the ssl settings come last (pgfly owns them) and pg_hba.conf accepts TLS connections only.
     * <p>
     * Every file is replaced atomically, and only when its content changed. PostgreSQL reads these files
     * whenever a reload reaches it, and a reload the agent requested a moment ago may land while the agent
     * writes the next cycle's copy: a file truncated in place and read half-written turned {@code ssl} off
     * (clients then got "server does not support SSL") and could as well have emptied
     * {@code synchronous_standby_names}. As the content was unchanged, nothing reloaded it again.
     */
    public void writeConfig(Map<String, String> given, List<String> memberHosts) throws IOException {
        Map<String, String> settings = given;
        if (tls) {
            settings = new LinkedHashMap<>(given);
            settings.putAll(PgConfig.tlsSettings(tlsDir().resolve("server.crt").toString(),
                    tlsDir().resolve("server.key").toString(), tlsDir().resolve("root.crt").toString()));
        }
        Path conf = dataDir().resolve("postgresql.conf");
        String include = "include_if_exists = 'pgfly.conf'";
        if (!OwnedFiles.readRegular(conf).orElse("").contains(include)) {
            // Written back where PostgreSQL's user reads it: so read by that user, not by root.
            String existing = OwnedFiles.readAsUser(conf, user).orElse("");
            writeOwned(conf, existing + "\n# pgfly's managed settings come last and win.\n" + include + "\n");
        }
        writeOwned(dataDir().resolve("pgfly.conf"), PgConfig.renderConf(settings));
        writeOwned(dataDir().resolve("pg_hba.conf"), PgConfig.renderHba(memberHosts, tls));
    }

    public void setStandby(boolean standby) throws IOException {
        Path signal = dataDir().resolve("standby.signal");
        if (standby) {
            writeOwned(signal, "");
        } else {
            Files.deleteIfExists(signal);
        }
    }

    public boolean isStandbyConfigured() {
        return Files.exists(dataDir().resolve("standby.signal"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * libpq password file with the replication and superuser passwords, readable by PostgreSQL's user only;
     * replaced atomically (the walreceiver reads it whenever it connects).
     */
    public void writePassFile(String replicationPassword, String superuserPassword) throws IOException {
        writeOwned(passFile(), "*:*:*:" + PgConfig.REPLICATION_ROLE + ":" + escapePgpass(replicationPassword) + "\n"
                + "*:*:*:" + PgConfig.SUPERUSER + ":" + escapePgpass(superuserPassword) + "\n");
    }

    private static String escapePgpass(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\:");
    }

    /**
     * Writes the watchdog lease: a deadline in milliseconds of {@link MonotonicClock} (the kernel's
     * /proc/uptime, which the watchdog reads too), or 0 for "nothing to fence".
     */
    public void writeLease(long deadlineMillis) throws IOException {
        replaceLease(leaseFile(), deadlineMillis);
        // The same deadline on the wall clock, in the file a watchdog started by an agent before the
        // monotonic lease reads: after an upgrade of pgfly its PostgreSQL keeps running under that old
        // watchdog, which would read an uptime deadline as long expired and fence a healthy primary.
        long wallDeadline = deadlineMillis == 0 ? 0 : System.currentTimeMillis() + (deadlineMillis - MonotonicClock.millis());
        replaceLease(legacyLeaseFile(), wallDeadline);
    }

    private void replaceLease(Path file, long value) throws IOException {
        Path tmp = memberDir.resolve(file.getFileName() + ".tmp");
        Files.writeString(tmp, value + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Starts the postmaster under the watchdog and waits until it accepts connections (or is a hot standby). */
    public long start(Duration wait) throws IOException {
        Optional<Long> running = postmasterPid();
        if (running.isPresent()) {
            return running.get();
        }
        noteUnexpectedExit();
        awaitOldProcessesGone(OLD_PROCESSES_WAIT);
        Files.deleteIfExists(dataDir().resolve("postmaster.pid.stale"));
        createPrivateLog(logFile());
        Path script = memberDir.resolve("pgfly-watchdog.sh");
        try (InputStream in = PgInstance.class.getResourceAsStream("pgfly-watchdog.sh")) {
            Files.write(script, in.readAllBytes());
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        List<String> argv = new ArrayList<>(List.of("bash", script.toString(), leaseFile().toString(), "--"));
        argv.addAll(user.wrap(List.of(bin.tool("postgres"), "-D", dataDir().toString())));
        Process watchdog = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        Instant deadline = Instant.now().plus(wait);
        while (Instant.now().isBefore(deadline)) {
            String status = postmasterStatus().orElse("");
            if (status.equals("ready") || status.equals("standby")) {
                long pid = postmasterPid().orElseThrow(() -> new IOException("PostgreSQL exited right after starting"));
                stopRequested = false;
                return pid;
            }
            if (!watchdog.isAlive()) {
                throw new IOException("PostgreSQL did not start: " + lastLogLine());
            }
            sleep(50);
        }
        throw new IOException("PostgreSQL did not become ready within " + wait.toSeconds() + " s: " + lastLogLine());
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
    public Optional<Long> postmasterPid() {
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
    public Optional<String> postmasterStatus() {
        if (postmasterPid().isEmpty()) {
            return Optional.empty();
        }
        List<String> lines = pidFileLines();
        return lines.size() >= 8 ? Optional.of(lines.get(7).strip()) : Optional.of("starting");
    }

    /** postmaster.pid, written by PostgreSQL's user: read without following a link, like every file there. */
    private List<String> pidFileLines() {
        Path pidFile = dataDir().resolve("postmaster.pid");
        try {
            return OwnedFiles.readRegular(pidFile).map(s -> s.lines().toList()).orElse(List.of());
        } catch (IOException e) {
            return List.of();
        }
    }

    public boolean isRunning() {
        return postmasterPid().isPresent();
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
        if (seen != 0 && !stopRequested && postmasterPid().isEmpty()) {
            unexpectedExit = seen;
            lastSeenPid = 0;
        }
    }

    /**
     * Stops PostgreSQL: "fast" rolls back open transactions and writes a shutdown checkpoint (which
     * streams to replicas before the walsenders exit); "immediate" just stops, as fencing needs.
     */
    public void stop(String mode, Duration timeout) throws IOException {
        stopRequested = true;
        if (!isRunning()) {
            return;
        }
        Command.Result r = Command.run(user.wrap(List.of(bin.tool("pg_ctl"), "stop", "-D", dataDir().toString(),
                "-m", mode, "-w", "-t", Long.toString(Math.max(1, timeout.toSeconds())))), Map.of(), timeout.plusSeconds(5));
        if (!r.ok() && isRunning()) {
            throw new IOException("pg_ctl stop -m " + mode + " failed: " + r.lastLine());
        }
    }

    /** Fencing without pg_ctl: SIGQUIT to the postmaster is an immediate shutdown. */
    public void signalImmediateShutdown() {
        stopRequested = true;
        // postmaster.pid is PostgreSQL's user's file: signal its pid only if that user runs it, never
        // another process someone wrote the number of.
        postmasterPid().flatMap(ProcessHandle::of).filter(this::runsAsPostgresUser).ifPresent(p -> Command.run(
                List.of("kill", "-QUIT", Long.toString(p.pid())), Map.of(), Duration.ofSeconds(5)));
    }

    private boolean runsAsPostgresUser(ProcessHandle p) {
        return !user.dropsPrivileges() || p.info().user().map(user.name()::equals).orElse(false);
    }

    /**
     * PostgreSQL's log (and restore.log) is only for pgfly's user: mode 0600, made so before anything
     * writes to it, and put back to 0600 if it was wider (logs of older versions were 0644).
     */
    public static void createPrivateLog(Path log) throws IOException {
        dev.pgfly.core.util.PrivateFiles.privateLog(log);
    }

    /**
     * A fresh copy of the source, configured as a standby the moment it is complete. Never started, a clone
     * without standby.signal looks like a former primary; rewinding it makes pg_rewind run crash recovery,
     * which ends recovery on the clone's own: it writes WAL the primary never had, on the same timeline,
     * where pg_rewind cannot see a fork, and the replica can then never stream (a chaos run's round 53).
     */
    public Command.Result basebackup(String sourceHost, int sourcePort, String slot, Duration timeout) throws IOException {
        prepareDirectories();
        List<String> argv = new ArrayList<>(List.of(bin.tool("pg_basebackup"), "-h", sourceHost, "-p",
                Integer.toString(sourcePort), "-U", PgConfig.REPLICATION_ROLE, "-D", dataDir().toString(),
                "-X", "stream", "-c", "fast", "--no-password"));
        if (slot != null) {
            argv.addAll(List.of("-S", slot));
        }
        Command.Result result = Command.run(user.wrap(argv), libpqEnv(), timeout);
        if (result.ok()) {
            setStandby(true);
        }
        return result;
    }

    /** A copy made by pg_basebackup and never started: it holds backup_label until its first start. */
    public boolean isUnstartedClone() {
        return Files.exists(dataDir().resolve("backup_label"));
    }

    /** pg_rewind against the new primary; it runs crash recovery first when the target was not shut down cleanly. */
    public Command.Result rewind(String sourceHost, int sourcePort, Duration timeout) {
        String source = "host=" + sourceHost + " port=" + sourcePort + " user=" + PgConfig.SUPERUSER
                + " dbname=postgres connect_timeout=5";
        return Command.run(user.wrap(List.of(bin.tool("pg_rewind"), "-D", dataDir().toString(),
                "--source-server=" + source, "--progress")), libpqEnv(), timeout);
    }

    /** The password file, and with TLS verify-full against the cluster's CA. */
    private Map<String, String> libpqEnv() {
        Map<String, String> env = new LinkedHashMap<>(clientTls().libpqEnv());
        env.put("PGPASSFILE", passFile().toString());
        return env;
    }

    public Map<String, String> controlData() {
        Command.Result r = Command.run(user.wrap(List.of(bin.tool("pg_controldata"), "-D", dataDir().toString())),
                Map.of("LC_ALL", "C"), Duration.ofSeconds(10));
        Map<String, String> values = new LinkedHashMap<>();
        if (r.ok()) {
            for (String line : r.output().split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    values.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
        }
        return values;
    }

    /**
     * Moves the data directory aside (never deletes it) so that a fresh clone can take its place;
     * the caller removes the old copy only once the new one is complete.
     */
    public Path moveDataAside() throws IOException {
        Path aside = memberDir.resolve(SET_ASIDE_PREFIX + System.currentTimeMillis());
        Files.move(dataDir(), aside, StandardCopyOption.ATOMIC_MOVE);
        return aside;
    }

    /** The data directories {@link #moveDataAside()} has set aside and nobody has removed yet. */
    public List<Path> setAsideCopies() throws IOException {
        try (var entries = Files.list(memberDir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(SET_ASIDE_PREFIX)).toList();
        }
    }

    /**
     * The line of PostgreSQL's log that best says why it stopped: the last FATAL or PANIC among the
     * last lines (the final lines of a failed start are only "database system is shut down"), else
     * the last line. Reads the end of the file only: the log can be large.
     */
    public String lastLogLine() {
        List<String> lines;
        try {
            lines = tail(logFile(), 16 * 1024);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            int level = Math.max(line.indexOf("FATAL:"), line.indexOf("PANIC:"));
            if (level >= 0) {
                return line.substring(level).replaceAll("\\s+", " ").strip();
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).strip();
            }
        }
        return "(no log output)";
    }

    private static List<String> tail(Path file, int bytes) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (var f = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - bytes);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            List<String> lines = new java.util.ArrayList<>(List.of(new String(buf, StandardCharsets.UTF_8).split("\n")));
            if (start > 0 && !lines.isEmpty()) {
                lines.removeFirst(); // a partial line
            }
            return lines;
        }
    }

    /** A file only PostgreSQL's user reads, replaced whole and only when it changed (see {@link OwnedFiles}). */
    private void writeOwned(Path file, String content) throws IOException {
        OwnedFiles.replaceIfChanged(file, content, "rw-------", user);
    }

    private void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
        user.own(file);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
