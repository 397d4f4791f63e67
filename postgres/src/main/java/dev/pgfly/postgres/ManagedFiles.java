package dev.pgfly.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files pgfly writes for PostgreSQL: its configuration (postgresql.conf, pgfly.conf, pg_hba.conf),
 * the libpq password file and the TLS files. All of them are where PostgreSQL's user can write, so
 * each goes through {@link OwnedFiles}: replaced whole, never through a link, only when it changed.
 */
public final class ManagedFiles {
    private final OsUser user;
    private final MemberDirectory dir;
    private final boolean tls;

    /** @param tls PostgreSQL serves TLS only, with the files of {@link #installTls} */
    public ManagedFiles(OsUser user, MemberDirectory dir, boolean tls) {
        this.user = user;
        this.dir = dir;
        this.tls = tls;
    }

    public boolean tls() {
        return tls;
    }

    /** How pgfly's clients on this member connect to PostgreSQL servers of the cluster (this one included). */
    public PgTls clientTls() {
        Path tlsDir = dir.tlsDir();
        return tls ? new PgTls(tlsDir.resolve("root.crt"), tlsDir.resolve("server.crt"), tlsDir.resolve("server.key"))
                : PgTls.OFF;
    }

    /** The environment of PostgreSQL's client programs: the password file, and with TLS verify-full against the cluster's CA. */
    public Map<String, String> libpqEnv() {
        Map<String, String> env = new LinkedHashMap<>(clientTls().libpqEnv());
        env.put("PGPASSFILE", dir.passFile().toString());
        return env;
    }

    /**
     * Installs the server's certificate and key and the cluster's CA for PostgreSQL: certificates
     * readable by all, the key 0600 and owned by PostgreSQL's user (it refuses a key others can read).
     * Each file is replaced atomically and only when it changed; returns whether any did (a reload then
     * makes PostgreSQL use them).
     */
    public boolean installTls(String caPem, String certificatePem, String keyPem) throws IOException {
        Path tlsDir = dir.tlsDir();
        Files.createDirectories(tlsDir);
        Files.setPosixFilePermissions(tlsDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        boolean changed = OwnedFiles.replaceIfChanged(tlsDir.resolve("root.crt"), caPem, "rw-r--r--", user);
        changed |= OwnedFiles.replaceIfChanged(tlsDir.resolve("server.crt"), certificatePem, "rw-r--r--", user);
        changed |= OwnedFiles.replaceIfChanged(tlsDir.resolve("server.key"), keyPem, "rw-------", user);
        return changed;
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
        Path tlsDir = dir.tlsDir();
        if (tls) {
            settings = new LinkedHashMap<>(given);
            settings.putAll(PgConfig.tlsSettings(tlsDir.resolve("server.crt").toString(),
                    tlsDir.resolve("server.key").toString(), tlsDir.resolve("root.crt").toString()));
        }
        Path dataDir = dir.dataDir();
        Path conf = dataDir.resolve("postgresql.conf");
        String include = "include_if_exists = 'pgfly.conf'";
        if (!OwnedFiles.readRegular(conf).orElse("").contains(include)) {
            // Written back where PostgreSQL's user reads it: so read by that user, not by root.
            String existing = OwnedFiles.readAsUser(conf, user).orElse("");
            writeOwned(conf, existing + "\n# pgfly's managed settings come last and win.\n" + include + "\n");
        }
        writeOwned(dataDir.resolve("pgfly.conf"), PgConfig.renderConf(settings));
        writeOwned(dataDir.resolve("pg_hba.conf"), PgConfig.renderHba(memberHosts, tls));
    }

    /**
     * libpq password file with the replication and superuser passwords, readable by PostgreSQL's user only;
     * replaced atomically (the walreceiver reads it whenever it connects).
     */
    public void writePassFile(String replicationPassword, String superuserPassword) throws IOException {
        writeOwned(dir.passFile(), "*:*:*:" + PgConfig.REPLICATION_ROLE + ":" + escapePgpass(replicationPassword) + "\n"
                + "*:*:*:" + PgConfig.SUPERUSER + ":" + escapePgpass(superuserPassword) + "\n");
    }

    private static String escapePgpass(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\:");
    }

    /** A file only PostgreSQL's user reads, replaced whole and only when it changed (see {@link OwnedFiles}). */
    private void writeOwned(Path file, String content) throws IOException {
        OwnedFiles.replaceIfChanged(file, content, "rw-------", user);
    }
}
