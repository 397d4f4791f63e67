package dev.pgfly.agent.local;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgInstance;
import dev.pgfly.postgres.PgProbe;
import dev.pgfly.postgres.PgSql;
import dev.pgfly.postgres.PgTls;
import dev.pgfly.core.tls.TlsFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** This member's PostgreSQL: the instance on disk, the SQL connection to it and its managed settings. */
public final class LocalPostgres {
    private final PgInstance instance;
    private final PgSql sql;
    private final PgSql monitorSql;
    private volatile boolean monitorRoleEnsured;
    private final Secrets secrets;
    private final String member;
    private final java.nio.file.Path secretsDir;
    private volatile PgProbe lastProbe;
    /** The full-disk guard's word (see {@link dev.pgfly.agent.disk.DiskGuard}): a primary's sessions start read-only. */
    private volatile boolean userWritesRefused;
    /** The data volume's size, read once (0: unknown, read again next time). */
    private volatile long volumeBytes;

    public LocalPostgres(PgInstance instance, Secrets secrets, String member, java.nio.file.Path secretsDir) {
        this.secretsDir = secretsDir;
        this.instance = instance;
        this.secrets = secrets;
        this.member = member;
        this.sql = new PgSql(instance.host(), instance.port(), PgConfig.AGENT_ROLE, secrets.agentPassword(),
                instance.clientTls());
        this.monitorSql = monitoring(instance.host(), instance.port(), secrets, instance.clientTls());
    }

    /**
     * A connection for reading state only: as the pg_monitor role when the cluster has one, otherwise
     * (clusters created before it) as the agent's role.
     */
    public static PgSql monitoring(String host, int port, Secrets secrets, PgTls tls) {
        Login login = monitoringLogin(secrets);
        return new PgSql(host, port, login.user(), login.password(), tls);
    }

    /** A role to connect as, and its password. */
    public record Login(String user, String password) {
    }

    /** The role monitoring connects as. */
    public static Login monitoringLogin(Secrets secrets) {
        return secrets.monitorPassword() != null
                ? new Login(PgConfig.MONITOR_ROLE, secrets.monitorPassword())
                : new Login(PgConfig.AGENT_ROLE, secrets.agentPassword());
    }

    public PgInstance instance() {
        return instance;
    }

    public Secrets secrets() {
        return secrets;
    }

    public PgSql sql() {
        return sql;
    }

    /** A fresh probe, or empty when PostgreSQL is down or not answering. */
    public Optional<PgProbe> probe() {
        if (!instance.isRunning()) {
            lastProbe = null;
            return Optional.empty();
        }
        try {
            lastProbe = probeLeastPrivileged();
            return Optional.of(lastProbe);
        } catch (SQLException e) {
            lastProbe = null;
            return Optional.empty();
        }
    }

    /**
     * The probe as the monitoring role. Until that role exists on this server (a member of a cluster
     * created before it, not yet reached by the primary's CREATE ROLE), the agent's own role answers:
     * the HA loop must never mistake a missing role for a dead server.
     */
    private PgProbe probeLeastPrivileged() throws SQLException {
        try {
            return monitorSql.probe();
        } catch (SQLException e) {
            if (!isAccessProblem(e)) {
                throw e;
            }
            return sql.probe();
        }
    }

    /** Authentication or privilege errors (SQLSTATE classes 28, 42501): the server itself answered. */
    public static boolean isAccessProblem(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("28") || state.equals("42501"));
    }

    public Optional<PgProbe> lastProbe() {
        return Optional.ofNullable(lastProbe);
    }

    /**
     * Writes the managed configuration for the given role; returns true when it changed. A replica
     * streams from {@code upstream} through its own slot; a primary lists its synchronous standbys.
     */
    public boolean configure(ClusterSpec spec, MemberSpec me, LeaderRecord upstream, Set<String> synchronousStandbys)
            throws IOException {
        Map<String, String> settings = new LinkedHashMap<>(
                PgConfig.baseSettings(me.host(), me.pgPort(), spec.name() + "/" + me.name()));
        // WAL bounded by the volume's size; the user's own settings for the cluster override it.
        settings.putAll(dev.pgfly.agent.disk.WalBudget.settings(volumeBytes()));
        settings.putAll(spec.settings());
        if (upstream == null && userWritesRefused) {
            // Every session starts read-only, but the agent's own (PgSql asks for read-write on connecting),
            // as Fly's monitor does; a reload applies it to open sessions from their next transaction.
            settings.put("default_transaction_read_only", "on");
        }
        if (upstream != null && !upstream.member().equals(me.name())) {
            settings.put("primary_conninfo", PgConfig.primaryConninfo(upstream.host(), upstream.pgPort(), me.name(),
                    instance.passFile().toString(), instance.clientTls()));
            settings.put("primary_slot_name", SlotNames.of(me.name()));
        }
        settings.put("synchronous_standby_names", synchronousStandbyNames(synchronousStandbys));
        String before = readManaged();
        writePassFile();
        boolean certificatesChanged = installTls();
        instance.files().writeConfig(settings, spec.members().stream().map(MemberSpec::host).toList());
        return certificatesChanged || !before.equals(readManaged());
    }

    /**
     * With TLS on, copies this member's certificate and key and the cluster's CA certificate from the
     * secrets directory to where PostgreSQL reads them (the daemon re-issues them there before they
     * expire); returns whether any changed. Missing files are an error with the file named: PostgreSQL
     * would not start with {@code ssl=on} and no certificate.
     */
    public boolean installTls() throws IOException {
        if (!instance.tls()) {
            return false;
        }
        var ca = TlsFiles.caCertificate(secretsDir);
        var cert = TlsFiles.memberCertificate(secretsDir, member);
        var key = TlsFiles.memberKey(secretsDir, member);
        for (var f : List.of(ca, cert, key)) {
            if (!Files.exists(f)) {
                throw new IOException("TLS is on for this cluster but " + f + " is missing");
            }
        }
        return instance.files().installTls(Files.readString(ca), Files.readString(cert), Files.readString(key));
    }

    /**
     * Whether a primary refuses user writes for want of disk space; applied by the next {@link #configure}
     * (and a reload) of a primary.
     */
    public void refuseUserWrites(boolean refused) {
        userWritesRefused = refused;
    }

    public boolean userWritesRefused() {
        return userWritesRefused;
    }

    /** The size of the volume that holds this member's directory; 0 when it cannot be read. */
    public long volumeBytes() {
        long known = volumeBytes;
        if (known > 0) {
            return known;
        }
        try {
            known = Files.getFileStore(instance.memberDir()).getTotalSpace();
        } catch (IOException | RuntimeException e) {
            known = 0;
        }
        volumeBytes = known;
        return known;
    }

    public void writePassFile() throws IOException {
        instance.files().writePassFile(secrets.replicationPassword(), secrets.superuserPassword());
    }

    private String readManaged() throws IOException {
        var conf = instance.dataDir().resolve("pgfly.conf");
        var hba = instance.dataDir().resolve("pg_hba.conf");
        return (Files.exists(conf) ? Files.readString(conf) : "") + (Files.exists(hba) ? Files.readString(hba) : "");
    }

    /** "ANY 1 (a, b)": a commit waits until at least one of the set has flushed it. */
    public static String synchronousStandbyNames(Set<String> standbys) {
        if (standbys == null || standbys.isEmpty()) {
            return "";
        }
        return "ANY 1 (" + standbys.stream().sorted().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")) + ")";
    }

    /** Creates the agent and replication roles with their generated passwords (superuser connection). */
    public void createRoles() throws SQLException {
        try (PgSql superuser = new PgSql(instance.host(), instance.port(), PgConfig.SUPERUSER, secrets.superuserPassword(),
                instance.clientTls())) {
            superuser.ensureRole(PgConfig.AGENT_ROLE, secrets.agentPassword(), "SUPERUSER");
            superuser.ensureRole(PgConfig.REPLICATION_ROLE, secrets.replicationPassword(), "REPLICATION");
            ensureMonitorRole(superuser);
        }
    }

    /**
     * On a primary, once per agent: the monitoring role exists with its current password. Clusters
     * created before the role existed get it here; the replicas receive it by replication.
     */
    public void ensureMonitorRoleOnce() {
        if (monitorRoleEnsured || secrets.monitorPassword() == null) {
            return;
        }
        try {
            ensureMonitorRole(sql);
            monitorRoleEnsured = true;
        } catch (SQLException e) {
            org.slf4j.LoggerFactory.getLogger(LocalPostgres.class).warn("could not create the monitoring role: {}",
                    e.toString());
        }
    }

    private void ensureMonitorRole(PgSql superuser) throws SQLException {
        if (secrets.monitorPassword() == null) {
            return;
        }
        superuser.ensureRole(PgConfig.MONITOR_ROLE, secrets.monitorPassword(),
                "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
        superuser.grantRole("pg_monitor", PgConfig.MONITOR_ROLE);
    }

    /** CHECKPOINT on a member (as superuser); failures are logged, the caller goes on. */
    public void checkpointOn(String host, int port) {
        try (PgSql superuser = new PgSql(host, port, PgConfig.SUPERUSER, secrets.superuserPassword(), instance.clientTls())) {
            superuser.checkpoint();
        } catch (SQLException e) {
            org.slf4j.LoggerFactory.getLogger(LocalPostgres.class).warn("CHECKPOINT on {}:{} failed: {}", host, port, e.toString());
        }
    }

    public List<String> memberHosts(ClusterSpec spec) {
        return spec.members().stream().map(MemberSpec::host).toList();
    }

    public String member() {
        return member;
    }
}
