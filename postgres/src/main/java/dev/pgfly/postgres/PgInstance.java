package dev.pgfly.postgres;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One PostgreSQL instance on this host, in its {@link MemberDirectory}. Every PostgreSQL program runs as
 * {@link OsUser}; the postmaster runs under the watchdog script. The work is done by its parts, as
 * Patroni's {@code patroni/postgresql/} splits it:
 * <ul>
 *   <li>{@link #postmaster()}: start under the watchdog, stop, signal, unexpected exits;</li>
 *   <li>{@link #data()}: PGDATA, standby.signal, initdb, pg_basebackup, pg_rewind, copies set aside;</li>
 *   <li>{@link #files()}: the configuration, password and TLS files written for PostgreSQL;</li>
 *   <li>{@link #lease()}: the watchdog lease.</li>
 * </ul>
 * The start, stop and state of the postmaster, which nearly every step of the HA loop uses, are here too.
 */
public final class PgInstance {
    private final PgBinaries bin;
    private final MemberDirectory dir;
    private final String host;
    private final int port;
    private final Postmaster postmaster;
    private final DataDirectory data;
    private final ManagedFiles files;
    private final WatchdogLease lease;

    public PgInstance(PgBinaries bin, OsUser user, Path memberDir, String host, int port) {
        this(bin, user, memberDir, host, port, false);
    }

    /** @param tls PostgreSQL serves TLS only, with the files of {@link ManagedFiles#installTls} */
    public PgInstance(PgBinaries bin, OsUser user, Path memberDir, String host, int port, boolean tls) {
        this.bin = bin;
        this.dir = new MemberDirectory(memberDir);
        this.host = host;
        this.port = port;
        this.files = new ManagedFiles(user, dir, tls);
        this.postmaster = new Postmaster(bin, user, dir);
        this.data = new DataDirectory(bin, user, dir, files::libpqEnv);
        this.lease = new WatchdogLease(dir);
    }

    public Postmaster postmaster() {
        return postmaster;
    }

    public DataDirectory data() {
        return data;
    }

    public ManagedFiles files() {
        return files;
    }

    public WatchdogLease lease() {
        return lease;
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

    public boolean tls() {
        return files.tls();
    }

    /** How pgfly's clients on this member connect to PostgreSQL servers of the cluster (this one included). */
    public PgTls clientTls() {
        return files.clientTls();
    }

    public Path memberDir() {
        return dir.path();
    }

    public Path dataDir() {
        return dir.dataDir();
    }

    public Path logFile() {
        return dir.logFile();
    }

    public Path passFile() {
        return dir.passFile();
    }

    public boolean hasData() {
        return data.hasData();
    }

    /** Starts the postmaster under the watchdog and waits until it accepts connections (or is a hot standby). */
    public long start(Duration wait) throws IOException {
        return postmaster.start(wait);
    }

    public void stop(ShutdownMode mode, Duration timeout) throws IOException {
        postmaster.stop(mode, timeout);
    }

    public boolean isRunning() {
        return postmaster.isRunning();
    }

    /** The postmaster's pid when it is running, from postmaster.pid checked against the process table. */
    public Optional<Long> postmasterPid() {
        return postmaster.pid();
    }
}
