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

    /** The daemon's API over its TLS, trusting only the certificate the running daemon published. */
    private static java.net.http.HttpResponse<String> callDaemon(String token, String method, String path,
                                                                 String body) throws Exception {
        return new dev.pgfly.testkit.LocalDaemonApi(pgfly.home()).send(method, path, token, body,
                java.time.Duration.ofSeconds(60));
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
        assertThat(callDaemon(oldToken, "GET", "/v1/ping", null).statusCode()).isEqualTo(401);
        assertThat(callDaemon(newToken, "GET", "/v1/ping", null).statusCode()).isEqualTo(200);
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
        var create = callDaemon(token, "POST", "/v1/clusters",
                "{\"name\":\"secevil\",\"pg_bin\":\"" + evil + "\"}");
        assertThat(create.statusCode()).as(create.body()).isNotEqualTo(200);
        assertThat(create.body()).contains("refusing the PostgreSQL binaries in " + evil)
                .contains("owned by uid " + probe.uid());
        var upgrade = callDaemon(token, "POST", "/v1/clusters/" + CLUSTER + "/upgrade?pg_bin="
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

    /**
     * Hole 5. The attacker has a superuser SQL session (here: psql run by {@code probe} with the superuser
     * password), so it acts as PostgreSQL's OS user with {@code COPY ... TO PROGRAM}. It replaces
     * postgresql.conf and pg_hba.conf, two files the root agent reads and rewrites every cycle, with links
     * to a file only root may read. A few agent cycles later that file is untouched (content, owner,
     * mode), no file PostgreSQL's user can read holds its content, and the links are gone again.
     */
    @Test
    void linksPlantedInTheDataDirectoryNeverMakeRootReadOrWriteTheirTarget() throws Exception {
        java.nio.file.Path vault = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("/tmp"), "pgfly-vault-",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        String secretText = "root-only-" + java.util.UUID.randomUUID();
        java.nio.file.Path secret = vault.resolve("secret");
        java.nio.file.Files.writeString(secret, secretText + "\n");
        java.nio.file.Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        java.nio.file.attribute.PosixFileAttributes before = java.nio.file.Files.readAttributes(secret, java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        java.nio.file.Path data = memberDir("m1").resolve("data");
        try {
            LocalUser.Result planted = asSuperuser("COPY (SELECT 1) TO PROGRAM 'ln -sf " + secret + " " + data.resolve("postgresql.conf")
                    + " && ln -sf " + secret + " " + data.resolve("pg_hba.conf")
                    + " && test -L " + data.resolve("postgresql.conf") + " && test -L " + data.resolve("pg_hba.conf") + "'");
            // The program itself checks that both links exist: the agent may replace them before this thread
            // looks (CI once saw it do so within the psql round trip), so a check from here would race it.
            assertThat(planted.ok()).as("the attacker's superuser session plants the links: %s", planted).isTrue();

            // The agent notices and replaces the links (not their target) within a few cycles.
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while ((java.nio.file.Files.isSymbolicLink(data.resolve("postgresql.conf")) || java.nio.file.Files.isSymbolicLink(data.resolve("pg_hba.conf")))
                    && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            Thread.sleep(3_000); // and a few more cycles
            assertThat(java.nio.file.Files.isSymbolicLink(data.resolve("postgresql.conf"))).as("postgresql.conf replaced, not followed").isFalse();
            assertThat(java.nio.file.Files.isSymbolicLink(data.resolve("pg_hba.conf"))).as("pg_hba.conf replaced, not followed").isFalse();

            java.nio.file.attribute.PosixFileAttributes after = java.nio.file.Files.readAttributes(secret, java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            assertThat(java.nio.file.Files.readString(secret)).isEqualTo(secretText + "\n");
            assertThat(after.owner()).isEqualTo(before.owner());
            assertThat(after.group()).isEqualTo(before.group());
            assertThat(after.permissions()).isEqualTo(before.permissions());
            assertThat(after.lastModifiedTime()).isEqualTo(before.lastModifiedTime());

            // What the attacker reads back (as PostgreSQL's user) never holds the secret.
            for (String file : java.util.List.of("postgresql.conf", "pg_hba.conf", "pgfly.conf")) {
                LocalUser.Result read = asSuperuser("SELECT pg_read_file('" + file + "')");
                assertThat(read.ok()).as("pg_read_file(%s): %s", file, read).isTrue();
                assertThat(read.out()).doesNotContain(secretText);
            }
            for (java.nio.file.Path f : regularFilesUnder(data, ".conf")) {
                assertThat(java.nio.file.Files.readString(f)).as("%s", f).doesNotContain(secretText);
            }
            // The cluster still works: the agent keeps serving through the proxy.
            assertThat(asSuperuser("SELECT 1").out().strip()).isEqualTo("1");
        } finally {
            dev.pgfly.core.util.FileTrees.delete(vault);
        }
    }

    /**
     * Hole 10. The logs are readable by pgfly's user only: probe can open none of the *.log files under the
     * home or a member directory (not even by their predictable paths), cannot enter a member directory,
     * and a password typed into a failing statement is never where probe can read it (nor, by default, in
     * PostgreSQL's log at all). {@code pgfly logs} still shows them to their owner.
     */
    @Test
    void logsAreNotReadableByOtherUsers() throws Exception {
        String password = "hunter2-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String url = pgfly.ok("url", CLUSTER).out().strip();
        String jdbc = url.replaceFirst("^postgres://([^:]+):([^@]+)@", "jdbc:postgresql://");
        String[] creds = url.replaceFirst("^postgres://", "").split("@")[0].split(":", 2);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbc, creds[0], creds[1]); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER ROLE postgres PASSWORD '" + password + "' LOGN");
        } catch (java.sql.SQLException expected) {
            assertThat(expected.getSQLState()).isEqualTo("42601"); // the typo: a syntax error
        }
        Thread.sleep(1_000);

        java.util.List<java.nio.file.Path> logs = regularFilesUnder(pgfly.home(), ".log");
        assertThat(logs).as("the logs exist").anySatisfy(f -> assertThat(f.getFileName().toString()).isEqualTo("postgres.log"))
                .anySatisfy(f -> assertThat(f.getFileName().toString()).isEqualTo("agent.log"));
        for (java.nio.file.Path log : logs) {
            LocalUser.Result read = probe.run(java.time.Duration.ofSeconds(10), "cat", log.toString());
            assertThat(read.ok()).as("probe reads %s", log).isFalse();
            assertThat(read.out()).isEmpty();
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(log, java.nio.file.LinkOption.NOFOLLOW_LINKS)))
                    .as("mode of %s", log).isEqualTo("rw-------");
        }
        LocalUser.Result enter = probe.run(java.time.Duration.ofSeconds(10), "ls", memberDir("m1").toString());
        assertThat(enter.ok()).as("probe lists a member directory").isFalse();
        LocalUser.Result search = probe.run(java.time.Duration.ofSeconds(60), "grep", "-rs", password, pgfly.home().toString());
        assertThat(search.out()).as("what probe can read under the home").doesNotContain(password);
        assertThat(java.nio.file.Files.readString(memberDir("m1").resolve("postgres.log")))
                .as("a failing statement is not logged with its text by default").doesNotContain(password);

        assertThat(pgfly.ok("logs", CLUSTER, "--source", "postgres", "-n", "200").out()).contains("unrecognized role option");
    }

    /** Regular files whose name contains {@code part}, skipping what vanishes during the walk (lease.tmp, WAL). */
    private static java.util.List<java.nio.file.Path> regularFilesUnder(java.nio.file.Path root, String part)
            throws java.io.IOException {
        java.util.List<java.nio.file.Path> found = new java.util.ArrayList<>();
        java.nio.file.Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(java.nio.file.Path f, java.nio.file.attribute.BasicFileAttributes a) {
                if (a.isRegularFile() && f.getFileName().toString().contains(part)) {
                    found.add(f);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(java.nio.file.Path f, java.io.IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    private java.nio.file.Path memberDir(String member) {
        return pgfly.home().resolve("clusters").resolve(CLUSTER).resolve("members").resolve(member);
    }

    /**
     * One statement in the attacker's superuser session: psql run by probe, through the proxy, with the
     * superuser password in a passfile of probe's own (0600).
     */
    private static LocalUser.Result asSuperuser(String sql) throws Exception {
        String url = pgfly.ok("url", CLUSTER).out().strip();
        java.net.URI u = java.net.URI.create(url);
        String password = u.getRawUserInfo().split(":", 2)[1];
        java.nio.file.Path passfile = probe.home().resolve("pgpass");
        if (!java.nio.file.Files.exists(passfile)) {
            java.nio.file.Files.writeString(passfile, "*:*:*:postgres:" + password + "\n");
            java.nio.file.Files.setPosixFilePermissions(passfile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            java.nio.file.Files.setOwner(passfile, probe.home().getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(probe.name()));
        }
        return probe.run(java.time.Duration.ofSeconds(30), "env", "PGPASSFILE=" + passfile, "PGCONNECT_TIMEOUT=10", "psql", "-X",
                "-h", u.getHost(), "-p", Integer.toString(u.getPort()), "-U", "postgres", "-d", "postgres", "-At",
                "-v", "ON_ERROR_STOP=1", "-c", sql);
    }

    // ================================================================ end of holes 5, 10




    // ================================================================ holes 2, 6, 9 (secrets on command lines, attach, settings)

    /**
     * Hole 2: while {@code pgfly connect} runs psql and {@code pgfly import} runs pg_dump and pg_restore
     * (and the cluster's agents, proxy and PostgreSQL run all along), the attacker reads every process's
     * arguments, as {@code ps -eo args} does, and must never find the superuser password. Giving a
     * password or key on pgfly's own command line is refused in one line.
     */
    @Test
    void noSecretOnAnyCommandLine() throws Exception {
        String password = Hole269.superuserPassword();
        String url = Hole269.superuserUrl();
        Hole269.rootSql(url, st -> {
            st.execute("CREATE DATABASE importsrc");
        });
        Hole269.rootSql(url.replaceFirst("/postgres$", "/importsrc"), st -> {
            st.execute("CREATE TABLE public.items AS SELECT g AS id, pg_catalog.md5(g::text) AS v"
                    + " FROM pg_catalog.generate_series(1, 20000) g");
        });
        java.nio.file.Path stop = probe.home().resolve("stop-scan");
        Process scan = probe.startJava("ArgvScan.java", Hole269.ARGV_SCAN, stop.toString());
        java.nio.file.Path sourceFile = Hole269.privateFile(url.replaceFirst("/postgres$", "/importsrc"));
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> probe.output(scan).contains("ready"));
            Pgfly.Result psql = pgfly.run("connect", CLUSTER, "--", "-c", "select pg_sleep(5)");
            assertThat(psql.exit()).as(psql.err()).isZero();
            Pgfly.Result imported = pgfly.run("import", CLUSTER, "--source-file", sourceFile.toString(),
                    "--database", "importdst");
            assertThat(imported.exit()).as(imported.err() + imported.out()).isZero();
        } finally {
            java.nio.file.Files.writeString(stop, "");
            scan.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            java.nio.file.Files.deleteIfExists(sourceFile);
        }
        String seen = probe.output(scan);
        java.util.List<String> argv = seen.lines().filter(l -> l.startsWith("ARGV ")).toList();
        // The scan saw the very processes that once carried the password: it could have found it.
        assertThat(argv).as("the attacker saw psql").anyMatch(l -> l.contains("psql") && l.contains("pg_sleep"));
        assertThat(argv).as("the attacker saw pg_dump").anyMatch(l -> l.contains("pg_dump"));
        assertThat(argv).as("the attacker saw pg_restore").anyMatch(l -> l.contains("pg_restore"));
        assertThat(argv).as("no command line holds the superuser password").noneMatch(l -> l.contains(password));
        Hole269.rootSql(url.replaceFirst("/postgres$", "/importdst"), st -> {
            try (java.sql.ResultSet rs = st.executeQuery("SELECT pg_catalog.count(*) FROM public.items")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the import still works").isEqualTo(20000);
            }
        });

        // pgfly's own arguments: a password or a secret key there is refused in one line (a made-up one here:
        // the refusal is about where it is, and a real one would now be in this test's process list).
        String fake = "NotThePassword42";
        Hole269.refusedInOneLine(pgfly.run("import", CLUSTER, url.replace(password, fake)
                .replaceFirst("/postgres$", "/importsrc"), "--database", "importdst2"),
                "refusing a password on the command line", fake);
        Hole269.refusedInOneLine(pgfly.run("backup", "config", CLUSTER, "--backup-store", "s3://bucket/prefix",
                "--s3-access-key", "id", "--s3-secret-key", fake), "refusing --s3-secret-key", fake);
        Hole269.rootSql(url, st -> {
            try (java.sql.ResultSet rs = st.executeQuery("SELECT pg_catalog.count(*) FROM pg_catalog.pg_database"
                    + " WHERE datname = 'importdst2'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("a refused import creates nothing").isZero();
            }
            st.execute("DROP DATABASE importsrc WITH (FORCE)");
            st.execute("DROP DATABASE importdst WITH (FORCE)");
        });
    }

    /**
     * Hole 6: an app may not own a system database; and even with a trap armed in {@code postgres} (a
     * function and operators planted in {@code public}, the database's and the superuser's search_path
     * putting {@code public} first: what the owner of the database could do, granted here by root), no
     * session pgfly opens runs them: the app stays an ordinary role and the trap's marker stays empty.
     */
    @Test
    void anAppCannotMakeItselfSuperuser() throws Exception {
        String url = Hole269.superuserUrl();
        for (String system : java.util.List.of("postgres", "template0", "template1")) {
            Hole269.refusedInOneLine(pgfly.run("attach", CLUSTER, "--app", "evil", "--database", system),
                    "is a system database", null);
        }
        Hole269.refusedInOneLine(pgfly.run("db", "create", CLUSTER, "template1", "--owner", "postgres"),
                "is a system database", null);
        Hole269.rootSql(url, st -> {
            try (java.sql.ResultSet rs = st.executeQuery("SELECT pg_catalog.count(*) FROM pg_catalog.pg_roles"
                    + " WHERE rolname = 'evil'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("a refused attach creates no role").isZero();
            }
        });

        String evilUrl = pgfly.ok("attach", CLUSTER, "--app", "evil").out().lines()
                .filter(l -> l.startsWith("DATABASE_URL=")).findFirst().orElseThrow().substring("DATABASE_URL=".length());
        String evilInPostgres = evilUrl.replaceFirst("/evil$", "/postgres");
        try {
            Hole269.rootSql(url, st -> {
                st.execute("GRANT CREATE ON SCHEMA public TO evil");
                st.execute("ALTER DATABASE postgres SET search_path = public, pg_catalog");
                st.execute("ALTER ROLE postgres SET search_path = public, pg_catalog");
            });
            LocalUser.Result planted = probe.run(java.time.Duration.ofSeconds(60), "psql", "-X", "-q",
                    "-v", "ON_ERROR_STOP=1", evilInPostgres, "-c", Hole269.TROJAN);
            assertThat(planted.ok()).as(planted.err()).isTrue();
            // Armed: a session that keeps the database's search_path runs the planted function (evil's
            // own here, which cannot make itself superuser).
            LocalUser.Result armed = probe.run(java.time.Duration.ofSeconds(60), "psql", "-X", "-At", evilInPostgres,
                    "-c", "SELECT shobj_description(1, 'pg_authid') IS NULL");
            assertThat(armed.ok()).as(armed.err()).isTrue();
            assertThat(Hole269.trojanCalls(url, true)).as("the trap is armed").isPositive();

            pgfly.ok("users", "list", CLUSTER);
            pgfly.ok("db", "list", CLUSTER);
            pgfly.ok("attach", CLUSTER, "--app", "other-app");
            pgfly.ok("detach", CLUSTER, "--app", "other-app", "--drop-database");
            pgfly.ok("config", "show", CLUSTER);
            pgfly.ok("status", CLUSTER);
            pgfly.ok("users", "list", CLUSTER);

            assertThat(Hole269.trojanCalls(url, false)).as("no pgfly session ran the planted code").isZero();
            Hole269.rootSql(url, st -> {
                try (java.sql.ResultSet rs = st.executeQuery("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'evil'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBoolean(1)).as("evil is not a superuser").isFalse();
                }
            });
        } finally {
            Hole269.rootSql(url, st -> {
                st.execute("DROP OWNED BY evil");
                st.execute("ALTER DATABASE postgres RESET search_path");
                st.execute("ALTER ROLE postgres RESET search_path");
            });
            pgfly.run("detach", CLUSTER, "--app", "evil", "--drop-database");
        }
    }

    /**
     * Hole 9: settings that break recovery, replication roles or integrity are refused by root's
     * {@code config update} and by the daemon's API called directly with its token, each in one line,
     * and nothing changes; the attacker, without the token, cannot even ask.
     */
    @Test
    void settingsThatBreakHaOrIntegrityAreRefused() throws Exception {
        String before = pgfly.ok("config", "show", CLUSTER, "--json").json().get("configured").toString();
        java.util.Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("recovery_target_lsn", "0/3000060");
        refused.put("recovery_target_action", "promote");
        refused.put("session_replication_role", "replica");
        refused.put("ssl_dh_params_file", "/etc/passwd");
        refused.put("fsync", "off");
        refused.put("full_page_writes", "off");
        refused.put("zero_damaged_pages", "on");
        refused.put("restore_command", "cp /tmp/x %p");
        refused.put("primary_conninfo", "host=127.0.0.1");
        refused.put("synchronous_commit", "off");
        refused.put("wal_level", "minimal");

        tools.jackson.databind.JsonNode daemon = dev.pgfly.core.util.Json.MAPPER.readTree(java.nio.file.Files.readString(pgfly.home().resolve("daemon/daemon.json")));
        int port = daemon.path("port").asInt(0);
        if (port > 0) {
            LocalUser.Result asked = probe.java("NoToken.java", Hole269.NO_TOKEN, java.time.Duration.ofSeconds(60),
                    Integer.toString(port), CLUSTER);
            assertThat(asked.out()).as(asked.err()).doesNotContain("status 200").doesNotContain("status 5");
            // The attacker finishes the TLS handshake (it trusts anything) and meets the token check.
            assertThat(asked.out().lines().filter(l -> l.startsWith("status 401")).count())
                    .as("without the token: " + asked.out()).isEqualTo(2);
        }

        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            java.util.List<java.util.concurrent.Future<Pgfly.Result>> results = new java.util.ArrayList<>();
            refused.forEach((name, value) -> results.add(pool.submit(() -> pgfly.run("config", "update", CLUSTER,
                    "--set", name + "=" + value))));
            int i = 0;
            for (String name : refused.keySet()) {
                Hole269.refusedInOneLine(results.get(i++).get(), "'" + name + "'", null);
            }
        }
        String token = java.nio.file.Files.readString(pgfly.home().resolve("daemon/token")).strip();
        for (java.util.Map.Entry<String, String> e : refused.entrySet()) {
            java.net.http.HttpResponse<String> r = Hole269.postSettings(token,
                    dev.pgfly.core.util.Json.MAPPER.writeValueAsString(java.util.Map.of("set", java.util.Map.of(e.getKey(), e.getValue()))));
            assertThat(r.statusCode()).as(e.getKey() + ": " + r.body()).isEqualTo(400);
            String error = dev.pgfly.core.util.Json.MAPPER.readTree(r.body()).get("error").asString();
            assertThat(error).as(e.getKey()).contains("'" + e.getKey() + "'").doesNotContain("\n");
        }
        assertThat(pgfly.ok("config", "show", CLUSTER, "--json").json().get("configured").toString())
                .as("nothing changed").isEqualTo(before);
    }

    /** Helpers of holes 2, 6 and 9, in their own class so that their names meet no other section's. */
    private static final class Hole269 {
        interface Sql {
            void run(java.sql.Statement st) throws Exception;
        }

        static String superuserPassword() throws java.io.IOException {
            return dev.pgfly.core.util.Secrets.readFrom(pgfly.home().resolve("clusters").resolve(CLUSTER).resolve("secrets"))
                    .superuserPassword();
        }

        static String superuserUrl() {
            return pgfly.ok("url", CLUSTER).out().strip();
        }

        /** Root's own SQL, names resolved in pg_catalog first whatever the database's search_path says. */
        static void rootSql(String url, Sql sql) throws Exception {
            try (java.sql.Connection c = dev.pgfly.testkit.Db.connect(url); java.sql.Statement st = c.createStatement()) {
                st.execute("SET search_path = pg_catalog, pg_temp");
                sql.run(st);
            }
        }

        /** Calls of the planted code so far: by evil itself, or by anyone else (pgfly's sessions). */
        static long trojanCalls(String url, boolean byEvil) throws Exception {
            long[] n = {0};
            rootSql(url, st -> {
                try (java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM public.trojan_marker WHERE (who = 'evil') = "
                        + byEvil)) {
                    rs.next();
                    n[0] = rs.getLong(1);
                }
            });
            return n[0];
        }

        static void refusedInOneLine(Pgfly.Result r, String expected, String secret) {
            assertThat(r.exit()).as(r.err() + r.out()).isNotZero();
            assertThat(r.err().strip()).as(r.err()).contains(expected).doesNotContain("\n");
            if (secret != null) {
                assertThat(r.err() + r.out()).doesNotContain(secret);
            }
        }

        static java.nio.file.Path privateFile(String content) throws java.io.IOException {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("pgfly-sec-source", ".txt", java.nio.file.attribute.PosixFilePermissions
                    .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(file, content + "\n");
            return file;
        }

        static java.net.http.HttpResponse<String> postSettings(String token, String body) throws Exception {
            return new dev.pgfly.testkit.LocalDaemonApi(pgfly.home()).send("POST", "/v1/clusters/" + CLUSTER + "/settings",
                    token, body, java.time.Duration.ofSeconds(120));
        }

        /** The attacker's `ps -eo args`: every process's arguments, over and over, until told to stop. */
        static final String ARGV_SCAN = """
                import java.nio.file.*;
                import java.util.*;

                public class ArgvScan {
                    public static void main(String[] args) throws Exception {
                        Path stop = Path.of(args[0]);
                        Set<String> seen = new LinkedHashSet<>();
                        System.out.println("ready");
                        System.out.flush();
                        long scans = 0;
                        while (!Files.exists(stop)) {
                            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                                for (Path d : dirs) {
                                    try {
                                        byte[] b = Files.readAllBytes(d.resolve("cmdline"));
                                        if (b.length > 0) {
                                            seen.add(new String(b).replace('\\0', ' ').strip());
                                        }
                                    } catch (Exception e) {
                                        // gone meanwhile
                                    }
                                }
                            }
                            scans++;
                        }
                        System.out.println("scans " + scans);
                        for (String s : seen) {
                            System.out.println("ARGV " + s);
                        }
                    }
                }
                """;

        /** The attacker asks the daemon's API to change a setting: without a token, then with a guessed one. */
        static final String NO_TOKEN = """
                import java.net.URI;
                import java.net.http.*;
                import java.security.cert.X509Certificate;
                import javax.net.ssl.*;

                public class NoToken {
                    public static void main(String[] args) throws Exception {
                        // The attacker cannot read daemon/api.crt, so trusts whatever answers.
                        SSLContext any = SSLContext.getInstance("TLS");
                        any.init(null, new TrustManager[] {new X509TrustManager() {
                            public void checkClientTrusted(X509Certificate[] c, String a) { }
                            public void checkServerTrusted(X509Certificate[] c, String a) { }
                            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
                        }}, null);
                        HttpClient http = HttpClient.newBuilder().sslContext(any).build();
                        String body = "{\\"set\\": {\\"session_replication_role\\": \\"replica\\"}}";
                        for (String auth : new String[] {null, "Bearer 0123456789abcdef"}) {
                            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + args[0]
                                    + "/v1/clusters/" + args[1] + "/settings")).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body));
                            if (auth != null) {
                                b.header("Authorization", auth);
                            }
                            try {
                                System.out.println("status " + http.send(b.build(), HttpResponse.BodyHandlers.ofString())
                                        .statusCode());
                            } catch (java.io.IOException e) {
                                System.out.println("refused " + e);
                            }
                        }
                    }
                }
                """;

        /**
         * Planted by the app's role in {@code postgres}: each function shadows a built-in one pgfly calls, each
         * operator one it uses, and all of them record the call and try to make evil a superuser (which works
         * only when a superuser's session runs them).
         */
        static final String TROJAN = """
                CREATE TABLE public.trojan_marker (at timestamptz DEFAULT pg_catalog.now(), who text DEFAULT current_user,
                                                   what text);
                GRANT INSERT ON public.trojan_marker TO PUBLIC;
                CREATE FUNCTION public.trojan(what text) RETURNS void LANGUAGE plpgsql AS $t$
                BEGIN
                  INSERT INTO public.trojan_marker (what) VALUES (what);
                  BEGIN
                    EXECUTE 'ALTER ROLE evil SUPERUSER';
                  EXCEPTION WHEN OTHERS THEN NULL;
                  END;
                END $t$;
                CREATE FUNCTION public.shobj_description(oid, name) RETURNS text LANGUAGE plpgsql AS $t$
                BEGIN PERFORM public.trojan('shobj_description'); RETURN pg_catalog.shobj_description($1, $2); END $t$;
                CREATE FUNCTION public.pg_get_userbyid(oid) RETURNS name LANGUAGE plpgsql AS $t$
                BEGIN PERFORM public.trojan('pg_get_userbyid'); RETURN pg_catalog.pg_get_userbyid($1); END $t$;
                CREATE FUNCTION public.pg_database_size(oid) RETURNS bigint LANGUAGE plpgsql AS $t$
                BEGIN PERFORM public.trojan('pg_database_size'); RETURN pg_catalog.pg_database_size($1); END $t$;
                CREATE FUNCTION public.pg_size_pretty(bigint) RETURNS text LANGUAGE plpgsql AS $t$
                BEGIN PERFORM public.trojan('pg_size_pretty'); RETURN pg_catalog.pg_size_pretty($1); END $t$;
                CREATE FUNCTION public.pg_encoding_to_char(integer) RETURNS name LANGUAGE plpgsql AS $t$
                BEGIN PERFORM public.trojan('pg_encoding_to_char'); RETURN pg_catalog.pg_encoding_to_char($1); END $t$;
                CREATE FUNCTION public.pg_is_in_recovery() RETURNS boolean LANGUAGE plpgsql AS $t$
                BEGIN PERFORM public.trojan('pg_is_in_recovery'); RETURN pg_catalog.pg_is_in_recovery(); END $t$;
                CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE plpgsql AS $t$
                BEGIN PERFORM public.trojan('current_setting'); RETURN pg_catalog.current_setting($1); END $t$;
                CREATE FUNCTION public.trojan_like(text, text) RETURNS boolean LANGUAGE plpgsql AS $t$
                BEGIN PERFORM public.trojan('~~'); RETURN pg_catalog.textlike($1, $2); END $t$;
                CREATE OPERATOR public.~~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.trojan_like);
                CREATE FUNCTION public.trojan_eq(name, text) RETURNS boolean LANGUAGE plpgsql AS $t$
                BEGIN PERFORM public.trojan('='); RETURN pg_catalog.nameeqtext($1, $2); END $t$;
                CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = text, FUNCTION = public.trojan_eq);
                """;
    }

    // ================================================================ end of holes 2, 6, 9




    // ================================================================ holes 7, 8 (ZooKeeper, proxy connections)

    /** A ZooKeeper client in one file: the wire protocol (jute) by hand, as the attacker needs no jar. */
    static final String ZK_PROBE = """
            import java.io.*;
            import java.net.*;
            import java.nio.charset.StandardCharsets;
            import java.util.*;

            public class ZkProbe {
                public static void main(String[] a) throws Exception {
                    String host = a[1];
                    int port = Integer.parseInt(a[2]);
                    switch (a[0]) {
                        case "acl" -> {
                            Socket s = session(host, port);
                            for (String p : List.of("/probe-junk", "/zookeeper/probe-junk", "/zookeeper/quota/probe-junk")) {
                                System.out.println(p + "=" + create(s, p, new byte[1024]));
                            }
                        }
                        case "big" -> {
                            Socket s = session(host, port);
                            try {
                                System.out.println("big=" + create(s, "/zookeeper/quota/probe-big", new byte[Integer.parseInt(a[3])]));
                            } catch (IOException e) {
                                System.out.println("big=closed");
                            }
                        }
                        case "cnxns" -> {
                            List<Socket> open = new ArrayList<>();
                            int refused = 0;
                            for (int i = 0; i < Integer.parseInt(a[3]); i++) {
                                try {
                                    open.add(session(host, port));
                                } catch (IOException e) {
                                    refused++;
                                }
                            }
                            System.out.println("ok=" + open.size() + " refused=" + refused);
                            for (Socket s : open) {
                                s.close();
                            }
                        }
                        default -> throw new IllegalArgumentException(a[0]);
                    }
                }

                /** ConnectRequest: protocol 0, zxid 0, timeout, session 0, 16-byte password, not read-only. */
                static Socket session(String host, int port) throws IOException {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(host, port), 3000);
                    s.setSoTimeout(5000);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    DataOutputStream d = new DataOutputStream(b);
                    d.writeInt(0); d.writeLong(0); d.writeInt(20000); d.writeLong(0);
                    d.writeInt(16); d.write(new byte[16]); d.writeBoolean(false);
                    send(s, b.toByteArray());
                    receive(s);
                    return s;
                }

                /** CreateRequest (op 1) with an open ACL; the answer's error code (0: created, -102: NoAuth). */
                static int create(Socket s, String path, byte[] data) throws IOException {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    DataOutputStream d = new DataOutputStream(b);
                    d.writeInt(1); d.writeInt(1);
                    str(d, path);
                    d.writeInt(data.length); d.write(data);
                    d.writeInt(1); d.writeInt(31); str(d, "world"); str(d, "anyone");
                    d.writeInt(0);
                    send(s, b.toByteArray());
                    DataInputStream r = new DataInputStream(new ByteArrayInputStream(receive(s)));
                    r.readInt(); r.readLong();
                    return r.readInt();
                }

                static void str(DataOutputStream d, String v) throws IOException {
                    byte[] b = v.getBytes(StandardCharsets.UTF_8);
                    d.writeInt(b.length); d.write(b);
                }

                static void send(Socket s, byte[] body) throws IOException {
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
                    out.writeInt(body.length); out.write(body); out.flush();
                }

                static byte[] receive(Socket s) throws IOException {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    byte[] b = new byte[in.readInt()];
                    in.readFully(b);
                    return b;
                }
            }
            """;

    private static int zkPort() throws Exception {
        tools.jackson.databind.JsonNode info = dev.pgfly.core.util.Json.MAPPER.readTree(
                java.nio.file.Files.readString(pgfly.home().resolve("daemon").resolve("daemon.json")));
        return java.net.URI.create(info.get("dcs").asString().replace("zk://", "http://")).getPort();
    }

    /**
     * Hole 7: anonymous clients stored 40 x 1 MB under /zookeeper/quota, which the daemon kept in memory
     * for good. Now the root and ZooKeeper's own nodes are pgfly's (others may read), a request may not
     * exceed what pgfly needs (320 KiB), and one address holds at most 200 connections.
     */
    @Test
    void anAnonymousZooKeeperClientCanNeitherStoreNorCrowdTheDaemon() throws Exception {
        int port = zkPort();

        LocalUser.Result acl = probe.java("ZkProbe.java", ZK_PROBE, java.time.Duration.ofSeconds(60), "acl", "127.0.0.1",
                Integer.toString(port));
        assertThat(acl.out()).as(acl.err()).contains("/probe-junk=-102", "/zookeeper/probe-junk=-102",
                "/zookeeper/quota/probe-junk=-102");

        // 400 KB: under ZooKeeper's default of 1 MiB, over pgfly's limit. The server drops the connection
        // before it even looks at the ACL.
        LocalUser.Result big = probe.java("ZkProbe.java", ZK_PROBE, java.time.Duration.ofSeconds(60), "big", "127.0.0.1",
                Integer.toString(port), Integer.toString(400_000));
        assertThat(big.out()).as(big.err()).contains("big=closed");

        // The daemon and the proxy hold a connection or two from 127.0.0.1 too: the probe gets at most
        // the rest of the 200, and every one past that is turned away.
        LocalUser.Result cnxns = probe.java("ZkProbe.java", ZK_PROBE, java.time.Duration.ofSeconds(120), "cnxns", "127.0.0.1",
                Integer.toString(port), "260");
        java.util.regex.Matcher counts = java.util.regex.Pattern.compile("ok=(\\d+) refused=(\\d+)").matcher(cnxns.out());
        assertThat(counts.find()).as(cnxns.out() + cnxns.err()).isTrue();
        assertThat(Integer.parseInt(counts.group(1))).isBetween(150, 200);
        assertThat(Integer.parseInt(counts.group(2))).isGreaterThanOrEqualTo(60);

        // The daemon keeps working, and its store holds nothing of the probe's.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(pgfly.status(CLUSTER).get("state").asString()).isEqualTo("running"));
        assertThat(pgfly.ok("status", CLUSTER).out()).contains(CLUSTER);
    }

    /** The cluster's proxy process (the primary region's). */
    private static ProcessHandle proxyProcess() {
        return pgfly.processes().stream()
                .filter(h -> h.info().arguments().map(a -> java.util.List.of(a).contains("proxy") && java.util.List.of(a).contains(CLUSTER))
                        .orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no proxy process"));
    }

    /** User and system CPU time of a process, in clock ticks (1/100 s), from /proc/PID/stat. */
    private static long cpuTicks(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long sizeOfLogs(java.nio.file.Path logs, String prefix) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(logs)) {
            long total = 0;
            for (java.nio.file.Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                total += java.nio.file.Files.size(f);
            }
            return total;
        }
    }

    /** Opens idle sockets (spread over 8 source addresses), reports, waits, reports which the proxy dropped. */
    static final String PROXY_FLOOD = """
            import java.net.*;
            import java.util.*;

            public class ProxyFlood {
                public static void main(String[] a) throws Exception {
                    InetSocketAddress proxy = new InetSocketAddress(a[0], Integer.parseInt(a[1]));
                    int n = Integer.parseInt(a[2]);
                    List<Socket> open = new ArrayList<>();
                    int failed = 0;
                    for (int i = 0; i < n; i++) {
                        Socket s = new Socket();
                        try {
                            s.bind(new InetSocketAddress("127.0.0." + (1 + i % 8), 0));
                            s.connect(proxy, 2000);
                            open.add(s);
                        } catch (java.io.IOException e) {
                            failed++;
                            s.close();
                        }
                    }
                    System.out.println("opened=" + open.size() + " failed=" + failed);
                    System.out.flush();
                    long opened = System.nanoTime();
                    Thread.sleep(Long.parseLong(a[3]));
                    Set<Socket> dropped = new HashSet<>();
                    for (int round = 0; round < 30 && dropped.size() < open.size(); round++) {
                        if (round > 0) {
                            Thread.sleep(1000);
                        }
                        for (Socket s : open) {
                            if (dropped.contains(s)) {
                                continue;
                            }
                            s.setSoTimeout(2);
                            try {
                                s.getInputStream().read();
                                dropped.add(s);
                            } catch (SocketTimeoutException e) {
                                // still open
                            } catch (java.io.IOException e) {
                                dropped.add(s);
                            }
                        }
                    }
                    System.out.println("dropped=" + dropped.size() + " of " + open.size() + " after "
                            + (System.nanoTime() - opened) / 1_000_000_000 + " s");
                    System.out.flush();
                    Thread.sleep(600_000);
                }
            }
            """;

    /**
     * Hole 8: 19,990 idle sockets from one user filled the proxy's descriptors, a real client timed out,
     * the accept loop spun and proxy.log grew at 7 MB/s. Now the proxy holds at most 1000 clients (200 per
     * source address), evicts those that have not sent a startup packet to admit newer ones, drops any that
     * send none within 10 s, backs off after a failed accept, rate-limits its warnings and rolls its log.
     */
    @Test
    void aFloodOfIdleSocketsKeepsNoClientOutOfTheProxyAndCostsItLittle() throws Exception {
        String url = pgfly.ok("url", CLUSTER).out().strip();
        int port = java.net.URI.create(url).getPort();
        ProcessHandle proxy = proxyProcess();
        java.nio.file.Path logs = pgfly.home().resolve("clusters").resolve(CLUSTER).resolve("logs");
        assertThat(logs.resolve("proxy.log")).as("the proxy logs to its own, rolled file").exists();
        long logBefore = sizeOfLogs(logs, "proxy");

        Process flood = probe.startJava("ProxyFlood.java", PROXY_FLOOD, "127.0.0.1", Integer.toString(port), "3000",
                "13000");
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90)).until(() -> probe.output(flood).contains("opened="));
            java.util.regex.Matcher opened = java.util.regex.Pattern.compile("opened=(\\d+)").matcher(probe.output(flood));
            assertThat(opened.find()).isTrue();
            int sockets = Integer.parseInt(opened.group(1));
            assertThat(sockets).as(probe.output(flood)).isGreaterThan(2000);

            // A real client gets in and queries while the flood is up.
            long start = System.nanoTime();
            try (java.sql.Connection c = dev.pgfly.testkit.Db.connect(url, 5); java.sql.Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery("select 1")) {
                assertThat(r.next()).isTrue();
            }
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));

            // The proxy does not spin: well under a fifth of a core over 5 s (a bound on a busy loop,
            // not a benchmark).
            long before = cpuTicks(proxy.pid());
            Thread.sleep(5000);
            double cores = (cpuTicks(proxy.pid()) - before) / 100.0 / 5.0;
            assertThat(cores).isLessThan(0.2);

            // Every idle socket was dropped: evicted for newer ones, or after the startup timeout.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90)).until(() -> probe.output(flood).contains("dropped="));
            // (the proxy may accept the last of them a few seconds late on a busy machine: its timeout
            // starts then)
            String report = probe.output(flood);
            assertThat(report).contains("dropped=" + sockets + " of " + sockets);
            java.util.regex.Matcher after = java.util.regex.Pattern.compile("after (\\d+) s").matcher(report);
            assertThat(after.find()).isTrue();
            assertThat(Integer.parseInt(after.group(1))).as(report).isLessThanOrEqualTo(25);
            System.out.println("proxy flood: " + report.strip().replace('\n', ' ') + "; proxy CPU " + cores
                    + " of a core; proxy logs grew " + (sizeOfLogs(logs, "proxy") - logBefore) + " bytes");

            // The log took a few rate-limited lines, not megabytes.
            assertThat(sizeOfLogs(logs, "proxy") - logBefore).isLessThan(64 * 1024);
        } finally {
            flood.descendants().forEach(ProcessHandle::destroyForcibly);
            flood.destroyForcibly();
            flood.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        // Afterwards everything is as before: the same proxy, serving.
        try (java.sql.Connection c = dev.pgfly.testkit.Db.connect(url, 5); java.sql.Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery("select 1")) {
            assertThat(r.next()).isTrue();
        }
        assertThat(proxyProcess().pid()).as("the proxy was not restarted").isEqualTo(proxy.pid());
    }

    // ================================================================ end of holes 7, 8
}
