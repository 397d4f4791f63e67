package dev.pgfly.node.home;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where local state lives: {@code $PGFLY_HOME} (default {@code ~/.pgfly}).
 *
 * <pre>
 * daemon/           daemon.json (pid, ports), token (0600), daemon.log, zookeeper/ (embedded store data)
 * clusters/NAME/    cluster.json (spec and desired state), secrets/ (0700, files 0600), proxy.log,
 *                   members/MEMBER/ (agent.log, and the PostgreSQL member directory unless it is elsewhere),
 *                   removed-members/MEMBER/ (the logs of a removed member)
 * failed-creates/NAME/  the logs of the last create of NAME that failed and was rolled back
 * </pre>
 */
public record PgflyHome(Path root) {

    public static PgflyHome resolve() {
        String env = System.getenv("PGFLY_HOME");
        // A newline or other control character is a quoting mistake (e.g. two paths in one variable),
        // never a home: refuse it rather than create a directory by that name.
        if (env != null && env.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("PGFLY_HOME contains a control character (a newline?): " + env.strip().lines().findFirst().orElse(""));
        }
        Path root = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".pgfly");
        return new PgflyHome(root.toAbsolutePath().normalize());
    }

    public Path daemonDir() {
        return root.resolve("daemon");
    }

    public Path daemonInfo() {
        return daemonDir().resolve("daemon.json");
    }

    public Path tokenFile() {
        return daemonDir().resolve("token");
    }

    /** The certificate the local API serves, new at each daemon start (see LocalApiCertificate). */
    public Path apiCertificateFile() {
        return daemonDir().resolve("api.crt");
    }

    /** The coordination store identity of this daemon and its clusters (0600; see StoreCredentials). */
    public Path storeCredentialsFile() {
        return daemonDir().resolve("zk.auth");
    }

    public Path daemonLog() {
        return daemonDir().resolve("daemon.log");
    }

    public Path zookeeperDir() {
        return daemonDir().resolve("zookeeper");
    }

    public Path childrenDir() {
        return daemonDir().resolve("children");
    }

    public Path clustersDir() {
        return root.resolve("clusters");
    }

    public Path clusterDir(String name) {
        return clustersDir().resolve(name);
    }

    public Path clusterFile(String name) {
        return clusterDir(name).resolve("cluster.json");
    }

    public Path secretsDir(String name) {
        return clusterDir(name).resolve("secrets");
    }

    /** The logs of the last create of NAME that failed (see KeptLogs). */
    public Path failedCreateLogs(String name) {
        return root.resolve("failed-creates").resolve(name);
    }

    public boolean clusterExists(String name) {
        return Files.exists(clusterFile(name));
    }

    /** The names of the clusters with a record in this home ({@code clusters/NAME/cluster.json}), sorted. */
    public java.util.List<String> recordedClusters() throws java.io.IOException {
        if (!Files.isDirectory(clustersDir())) {
            return java.util.List.of();
        }
        try (var dirs = Files.list(clustersDir())) {
            return dirs.map(d -> d.getFileName().toString()).filter(this::clusterExists).sorted().toList();
        }
    }
}
