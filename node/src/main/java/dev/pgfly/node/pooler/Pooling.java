package dev.pgfly.node.pooler;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.PoolerSpec;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.MemberCertificate;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.postgres.OsUser;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgLogin;
import dev.pgfly.postgres.PgTls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * A cluster's PgBouncer as the node runs it: its credentials (generated once, in the cluster's secrets
 * directory, shared with the other nodes like every secret), its directory of files (0600, owned by the
 * unprivileged user PgBouncer runs as), its command line, and its lookup role in PostgreSQL.
 */
public final class Pooling {
    public static final String ROLE_PASSWORD_FILE = "pooler.password";
    public static final String ADMIN_PASSWORD_FILE = "pooler-admin.password";
    private static final List<Path> BINARIES = List.of(Path.of("/usr/sbin/pgbouncer"), Path.of("/usr/bin/pgbouncer"),
            Path.of("/usr/local/bin/pgbouncer"));

    private Pooling() {
    }

    /**
     * The pooler a new cluster gets: {@code requested} (transaction, session or off) or, when null, the
     * config's default: transaction for ha (web applications with many short connections), none for dev.
     */
    public static PoolerSpec forCreate(String requested, String config) {
        PoolerSpec.PoolMode mode = requested == null
                ? ("ha".equals(config) ? PoolerSpec.PoolMode.TRANSACTION : null)
                : PoolerSpec.parseMode(requested);
        return mode == null ? null : PoolerSpec.of(mode);
    }

    /** The pooler's two passwords, generated when missing (clusters made before pgfly had a pooler). */
    public static void ensureSecrets(Path secretsDir) throws IOException {
        for (String name : List.of(ROLE_PASSWORD_FILE, ADMIN_PASSWORD_FILE)) {
            Path file = secretsDir.resolve(name);
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Secrets.writePrivate(file, Secrets.random(32));
            }
        }
    }

    public static String rolePassword(Path secretsDir) throws IOException {
        return Files.readString(secretsDir.resolve(ROLE_PASSWORD_FILE)).strip();
    }

    public static Path adminPasswordFile(Path secretsDir) {
        return secretsDir.resolve(ADMIN_PASSWORD_FILE);
    }

    /** PgBouncer's program, or empty when the package is not installed. */
    public static Optional<Path> binary() {
        return BINARIES.stream().filter(Files::isExecutable).findFirst();
    }

    /**
     * Writes the pooler's directory: pgbouncer.ini, the auth file and, for a TLS cluster, the CA to verify
     * servers with and the pooler's own certificate. The directory is root's, searchable by PgBouncer's
     * user (0710); each file is that user's alone (0600), so neither can be swapped from outside.
     *
     * @param ca the cluster's CA (TLS clusters, when this node holds it), or empty
     * @return pgbouncer.ini
     */
    public static Path writeFiles(Path dir, ClusterSpec spec, String listen, String serverHost, Path secretsDir,
                                  Optional<ClusterCa> ca, Path publicCa) throws IOException {
        OsUser user = OsUser.forPostgres();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(user.dropsPrivileges() ? "rwx--x---" : "rwx------"));
        if (user.dropsPrivileges()) {
            Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setGroup(user.group(dir));
        }
        Path auth = dir.resolve("users.txt");
        write(user, auth, PgBouncerIni.authFile(rolePassword(secretsDir),
                Files.readString(adminPasswordFile(secretsDir)).strip()));
        Path serverCa = null;
        Path cert = null;
        Path key = null;
        if (spec.tls() && Files.exists(publicCa)) {
            serverCa = dir.resolve("server-ca.crt");
            write(user, serverCa, Files.readString(publicCa));
            if (ca.isPresent()) {
                Set<String> names = new LinkedHashSet<>(List.of(listen, spec.proxyHost(), "127.0.0.1", "localhost"));
                MemberCertificate c = ca.get().issue("pgfly " + spec.name() + " pooler", names);
                key = dir.resolve("pooler.key");
                cert = dir.resolve("pooler.crt");
                write(user, key, c.keyPem());
                write(user, cert, c.certificatePem());
            }
        }
        Path ini = dir.resolve("pgbouncer.ini");
        write(user, ini, new PgBouncerIni(spec.pooler(), listen, serverHost, spec.proxyPort(), auth, serverCa, cert, key)
                .render());
        return ini;
    }

    private static void write(OsUser user, Path file, String content) throws IOException {
        Secrets.writePrivate(file, content);
        user.own(file);
    }

    /** PgBouncer in the foreground (the node supervises it), as the unprivileged user PostgreSQL runs as. */
    public static List<String> command(Path ini) {
        Path bin = binary().orElseThrow(() -> new IllegalStateException(
                "PgBouncer is not installed: apt-get install pgbouncer (or turn the pooler off: --pooler off)"));
        return OsUser.forPostgres().wrap(List.of(bin.toString(), ini.toString()));
    }

    /**
     * Creates or refreshes the lookup role and function through the proxy's primary port (the primary),
     * as the superuser. Idempotent: run after create, on start, and when the pooler is turned on.
     */
    public static void ensureRole(ClusterSpec spec, String superuserPassword, PgTls tls, Path secretsDir)
            throws IOException, SQLException {
        Properties p = PgLogin.properties(PgConfig.SUPERUSER, superuserPassword);
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        p.setProperty("ApplicationName", "pgfly-daemon");
        tls.addTo(p);
        PoolerRole.ensure("jdbc:postgresql://" + spec.proxyHost() + ":" + spec.proxyPort() + "/", p,
                rolePassword(secretsDir));
    }
}
