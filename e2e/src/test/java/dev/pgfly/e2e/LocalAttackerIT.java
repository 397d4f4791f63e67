package dev.pgfly.e2e;

import dev.pgfly.testkit.LocalUser;
import dev.pgfly.testkit.Pgfly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ten holes of the security review (issue 18), each mounted again by a real second OS user
 * ({@link LocalUser}: useradd, setpriv, userdel) against a live cluster run by root, and each asserted
 * to fail now. docs/security.md names the fix each test proves.
 *
 * <p>One dev cluster (no TLS, the dev default) is shared by the attacks; an attack that needs another
 * set-up makes its own and removes it.
 */
class LocalAttackerIT {
    static final String CLUSTER = "sec";

    static Pgfly pgfly;
    static LocalUser probe;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        pgfly.ok("create", CLUSTER);
        probe = LocalUser.create();
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (probe != null) {
                probe.close();
            }
        } finally {
            if (pgfly != null) {
                pgfly.close();
            }
        }
    }

    @Test
    void theAttackerIsAnotherUser() throws Exception {
        LocalUser.Result id = probe.run(java.time.Duration.ofSeconds(10), "id", "-u");
        assertThat(id.out().strip()).isEqualTo(Integer.toString(probe.uid())).isNotEqualTo("0");
    }

    // ================================================================ holes 1, 3, 4 (claims, daemon token, cleartext)

    /** A port {@code p} with {@code p + 1} also free on 127.0.0.1, from {@code from} up. */
    private static int freePortPair(int from) throws java.io.IOException {
        for (int p = from; p < from + 2000; p += 2) {
            try (java.net.ServerSocket a = new java.net.ServerSocket(p, 1, java.net.InetAddress.getByName("127.0.0.1"));
                 java.net.ServerSocket b = new java.net.ServerSocket(p + 1, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                return p;
            } catch (java.io.IOException e) {
                // taken: the next pair
            }
        }
        throw new IllegalStateException("no free port pair from " + from);
    }

    @Test
    void hole1_anotherUserCannotRedirectForgeOrLockRootsHostClaims() throws Exception {
        int port = freePortPair(29871);
        java.nio.file.Path vault = java.nio.file.Files.createTempDirectory("pgfly-vault-");
        java.nio.file.Path precious = vault.resolve("root-only");
        java.nio.file.Files.writeString(precious, "root's own content\n");
        java.nio.file.Files.setPosixFilePermissions(precious, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Process holder = null;
        try {
            // Links named like root's claims wherever the attacker can write: the old shared directory and
            // the names a per-uid scheme in /tmp would give root; and the old lock, held for good.
            String plant = String.join("\n",
                    "for d in /tmp/pgfly-claims /tmp/pgfly-claims-0; do",
                    "  mkdir -p $d 2>/dev/null",
                    "  for p in " + port + " " + (port + 1) + "; do ln -sf " + precious + " $d/port-127.0.0.1-$p; done",
                    "  for b in $(seq 40 239); do ln -sf " + precious + " $d/block-$b 2>/dev/null; done",
                    "  touch $d/.lock 2>/dev/null",
                    "done",
                    "ln -s " + precious + " /run/pgfly-claims/port-127.0.0.1-" + port + " && echo PLANTED-IN-RUN",
                    "exit 0");
            LocalUser.Result planted = probe.run(java.time.Duration.ofSeconds(30), "sh", "-c", plant);
            assertThat(planted.out()).doesNotContain("PLANTED-IN-RUN");
            assertThat(java.nio.file.Files.isSymbolicLink(java.nio.file.Path.of("/tmp/pgfly-claims-0/port-127.0.0.1-" + port))
                    || java.nio.file.Files.isSymbolicLink(java.nio.file.Path.of("/tmp/pgfly-claims/port-127.0.0.1-" + port)))
                    .as("the attack is mounted: a link named like root's claim").isTrue();
            if (java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/pgfly-claims/.lock"))) {
                holder = probe.start("flock", "/tmp/pgfly-claims/.lock", "sleep", "600");
            }

            pgfly.ok("create", "secclaim", "--port", Integer.toString(port));
            assertThat(java.nio.file.Files.readString(precious)).as("the root-only file").isEqualTo("root's own content\n");

            // Root's claims are in a directory only root can write; the attacker can neither add, remove
            // nor lock anything there.
            java.nio.file.Path claims = java.nio.file.Path.of("/run/pgfly-claims");
            assertThat(java.nio.file.Files.isSymbolicLink(claims)).isFalse();
            assertThat(java.nio.file.Files.getAttribute(claims, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).isEqualTo(0);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(claims, java.nio.file.LinkOption.NOFOLLOW_LINKS))).isEqualTo("rwx------");
            java.nio.file.Path claim = claims.resolve("port-127.0.0.1-" + port);
            assertThat(java.nio.file.Files.isRegularFile(claim, java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("root's claim").isTrue();
            LocalUser.Result meddle = probe.run(java.time.Duration.ofSeconds(20), "sh", "-c", String.join("\n",
                    "touch " + claims + "/forged && echo FORGED",
                    "rm -f " + claim + " && [ ! -e " + claim + " ] && echo DELETED",
                    "flock -n " + claims + "/.lock true && echo LOCKED",
                    "exit 0"));
            assertThat(meddle.out()).doesNotContain("FORGED").doesNotContain("DELETED").doesNotContain("LOCKED");
            assertThat(java.nio.file.Files.isRegularFile(claim, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
            pgfly.ok("destroy", "secclaim", "--yes");
        } finally {
            if (holder != null) {
                holder.descendants().forEach(ProcessHandle::destroyForcibly);
                holder.destroyForcibly();
            }
            // The attacker's links, removed by root (the directories may outlive the attacker's account).
            for (String d : new String[] {"/tmp/pgfly-claims", "/tmp/pgfly-claims-0"}) {
                java.nio.file.Path dir = java.nio.file.Path.of(d);
                if (java.nio.file.Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && !java.nio.file.Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(0)) {
                    dev.pgfly.core.util.FileTrees.delete(dir);
                } else if (java.nio.file.Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
                        for (java.nio.file.Path f : files.toList()) {
                            if (java.nio.file.Files.isSymbolicLink(f)) {
                                java.nio.file.Files.delete(f);
                            }
                        }
                    }
                }
            }
            dev.pgfly.core.util.FileTrees.delete(vault);
        }
    }

    /**
     * A one-file server run by the attacker: binds 127.0.0.1:PORT as soon as it is free (retrying every
     * millisecond), then, as "http", prints every request header it gets and answers {}; as "pg", asks
     * every client for a cleartext password (AuthenticationCleartextPassword) and prints all it gets.
     */
    private static final String SQUATTER = """
            import java.io.*;
            import java.net.*;
            import java.nio.charset.StandardCharsets;

            public class Squatter {
                public static void main(String[] args) throws Exception {
                    int port = Integer.parseInt(args[0]);
                    String mode = args[1];
                    ServerSocket server = null;
                    long deadline = System.currentTimeMillis() + 600_000;
                    while (server == null) {
                        ServerSocket s = new ServerSocket();
                        try {
                            s.setReuseAddress(true);
                            s.bind(new InetSocketAddress("127.0.0.1", port), 50);
                            server = s;
                        } catch (IOException e) {
                            s.close();
                            if (System.currentTimeMillis() > deadline) {
                                System.out.println("GAVE UP");
                                return;
                            }
                            Thread.sleep(1);
                        }
                    }
                    System.out.println("BOUND " + port);
                    System.out.flush();
                    while (true) {
                        Socket c = server.accept();
                        Thread.ofPlatform().start(() -> {
                            try (c) {
                                c.setSoTimeout(5000);
                                if (mode.equals("http")) {
                                    http(c);
                                } else {
                                    pg(c);
                                }
                            } catch (Exception e) {
                                // the client went away
                            }
                        });
                    }
                }

                static synchronized void print(String s) {
                    System.out.println(s);
                    System.out.flush();
                }

                static void http(Socket c) throws IOException {
                    BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.ISO_8859_1));
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        print("GOT " + line);
                    }
                    c.getOutputStream().write("HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\n{}"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    c.getOutputStream().flush();
                }

                static void pg(Socket c) throws IOException {
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    DataOutputStream out = new DataOutputStream(c.getOutputStream());
                    while (true) {
                        int len = in.readInt();
                        int code = in.readInt();
                        byte[] rest = in.readNBytes(len - 8);
                        print("GOT startup " + printable(rest));
                        if (code == 80877103 || code == 80877104) {
                            out.write('N');
                            out.flush();
                            continue;
                        }
                        break;
                    }
                    out.write('R');
                    out.writeInt(8);
                    out.writeInt(3);
                    out.flush();
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    byte[] buf = new byte[4096];
                    try {
                        for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                            got.write(buf, 0, n);
                        }
                    } catch (IOException e) {
                        // timeout or reset: what came is recorded
                    }
                    print("GOT after the password request: " + printable(got.toByteArray()));
                }

                static String printable(byte[] b) {
                    StringBuilder sb = new StringBuilder();
                    for (byte x : b) {
                        sb.append(x >= 32 && x < 127 ? (char) x : '.');
                    }
                    return sb.toString();
                }
            }
            """;

    private static Process squat(int port, String mode) throws Exception {
        return probe.startJava("Squatter.java", SQUATTER, Integer.toString(port), mode);
    }

    private static void awaitOutput(Process p, String text, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!probe.output(p).contains(text)) {
            assertThat(System.currentTimeMillis()).as("attacker's program printed " + text + ": " + probe.output(p))
                    .isLessThan(deadline);
            assertThat(p.isAlive()).as("attacker's program runs: " + probe.output(p)).isTrue();
            Thread.sleep(50);
        }
    }

    private static void end(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static int daemonPort() throws Exception {
        return dev.pgfly.core.util.Json.MAPPER.readTree(java.nio.file.Files.readString(pgfly.home().resolve("daemon/daemon.json")))
                .get("port").asInt();
    }

    private static String daemonToken() throws Exception {
        return java.nio.file.Files.readString(pgfly.home().resolve("daemon/token")).strip();
    }

    private static java.net.http.HttpResponse<String> callDaemon(int port, String token, String method, String path,
                                                                 String body) throws Exception {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(60))
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build();
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void hole3_theDaemonTokenNeverReachesAPortSquatterAndDiesWithItsDaemon() throws Exception {
        pgfly.ok("daemon", "status");
        int port = daemonPort();
        String oldToken = daemonToken();
        long daemonPid = dev.pgfly.core.util.Json.MAPPER.readTree(java.nio.file.Files.readString(
                pgfly.home().resolve("daemon/daemon.json"))).get("pid").asLong();
        Process squatter = squat(port, "http");
        try {
            // The daemon stops (its clusters with it, which takes seconds) while root's CLI keeps asking it.
            Process stop = pgfly.start("daemon", "stop");
            int asked = 0;
            while (stop.isAlive() || ProcessHandle.of(daemonPid).map(ProcessHandle::isAlive).orElse(false)) {
                pgfly.run("daemon", "status");
                asked++;
                if (asked > 60) {
                    break;
                }
            }
            assertThat(stop.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            awaitOutput(squatter, "BOUND", 30_000);
            pgfly.run("daemon", "status");

            // A daemon.json left behind (a CLI that read it just before the daemon removed it): the CLI sees
            // another user on the port and does not send the token.
            java.nio.file.Path info = pgfly.home().resolve("daemon/daemon.json");
            java.nio.file.Files.writeString(info, "{\"pid\":" + ProcessHandle.current().pid() + ",\"port\":" + port
                    + ",\"zk_port\":1,\"dcs\":\"127.0.0.1:1/pgfly\"}");
            Pgfly.Result refused;
            try {
                refused = pgfly.run("daemon", "status");
            } finally {
                java.nio.file.Files.delete(info);
            }
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.err().strip()).contains("refusing to send the daemon token")
                    .contains("served by uid " + probe.uid()).doesNotContain("\n");

            String got = probe.output(squatter);
            assertThat(got).doesNotContain(oldToken).doesNotContain("Authorization").doesNotContain("authorization");
        } finally {
            end(squatter);
        }

        // Back up (clusters with it); the old token is worth nothing now.
        pgfly.ok("start", CLUSTER);
        String newToken = daemonToken();
        assertThat(newToken).isNotEqualTo(oldToken);
        int newPort = daemonPort();
        assertThat(callDaemon(newPort, oldToken, "GET", "/v1/ping", null).statusCode()).isEqualTo(401);
        assertThat(callDaemon(newPort, newToken, "GET", "/v1/ping", null).statusCode()).isEqualTo(200);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                pgfly.home().resolve("daemon/token"), java.nio.file.LinkOption.NOFOLLOW_LINKS))).isEqualTo("rw-------");
    }

    @Test
    void hole3_aRequestCannotMakeTheDaemonRunAnotherUsersPrograms() throws Exception {
        java.nio.file.Path evil = probe.home().resolve("evilbin");
        java.nio.file.Path marker = probe.home().resolve("ran-as-root");
        String script = "#!/bin/sh\\ntouch " + marker + "\\necho 'postgres (PostgreSQL) 15.99'\\n";
        LocalUser.Result made = probe.run(java.time.Duration.ofSeconds(20), "sh", "-c", String.join("\n",
                "mkdir -p " + evil,
                "printf \"" + script + "\" > " + evil + "/postgres",
                "printf \"" + script + "\" > " + evil + "/initdb",
                "chmod 755 " + probe.home() + " " + evil + " " + evil + "/postgres " + evil + "/initdb"));
        assertThat(made.ok()).as(made.err()).isTrue();
        assertThat(java.nio.file.Files.isExecutable(evil.resolve("postgres"))).isTrue();

        String token = daemonToken();
        int port = daemonPort();
        var create = callDaemon(port, token, "POST", "/v1/clusters",
                "{\"name\":\"secevil\",\"pg_bin\":\"" + evil + "\"}");
        assertThat(create.statusCode()).as(create.body()).isNotEqualTo(200);
        assertThat(create.body()).contains("refusing the PostgreSQL binaries in " + evil)
                .contains("owned by uid " + probe.uid());
        var upgrade = callDaemon(port, token, "POST", "/v1/clusters/" + CLUSTER + "/upgrade?pg_bin="
                + java.net.URLEncoder.encode(evil.toString(), java.nio.charset.StandardCharsets.UTF_8), null);
        assertThat(upgrade.statusCode()).as(upgrade.body()).isNotEqualTo(200);
        assertThat(upgrade.body()).contains("refusing the PostgreSQL binaries");
        Pgfly.Result cli = pgfly.run("create", "secevil2", "--pg-bin", evil.toString());
        assertThat(cli.exit()).isNotZero();
        assertThat(cli.err()).contains("refusing the PostgreSQL binaries");

        assertThat(marker).as("the attacker's program never ran").doesNotExist();
        assertThat(pgfly.ok("list").out()).doesNotContain("secevil");
    }

    @Test
    void hole4_aSquatterOnTheProxyPortNeverGetsThePassword() throws Exception {
        String password = java.nio.file.Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/secrets/superuser.password")).strip();
        String url = pgfly.ok("url", CLUSTER).out().strip();
        int proxyPort = java.net.URI.create(url).getPort();
        pgfly.ok("stop", CLUSTER);
        Process squatter = squat(proxyPort, "pg");
        try {
            awaitOutput(squatter, "BOUND", 60_000);
            Pgfly.Result start = pgfly.run("start", CLUSTER);
            Pgfly.Result dbs = pgfly.run("db", "list", CLUSTER);
            String got = probe.output(squatter);
            assertThat(got).as("pgfly's clients came to the squatter").contains("GOT startup");
            assertThat(got).doesNotContain(password);
            // While the port is taken, start fails at once, saying why (it used to wait, then time out).
            assertThat(start.exit()).isNotZero();
            assertThat(start.err().strip()).contains("is not its proxy").contains("cleartext password").doesNotContain("\n");
            assertThat(dbs.exit()).isNotZero();
            assertThat(dbs.err()).contains("cleartext password");
        } finally {
            end(squatter);
        }
        pgfly.ok("start", CLUSTER);
        try (java.sql.Connection c = dev.pgfly.testkit.Db.connect(url); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }

    // ================================================================ end of holes 1, 3, 4




    // ================================================================ holes 5, 10 (symlinks in PGDATA, log modes)



    // ================================================================ end of holes 5, 10




    // ================================================================ holes 2, 6, 9 (secrets on command lines, attach, settings)



    // ================================================================ end of holes 2, 6, 9




    // ================================================================ holes 7, 8 (ZooKeeper, proxy connections)



    // ================================================================ end of holes 7, 8
}
