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



    // ================================================================ end of holes 1, 3, 4




    // ================================================================ holes 5, 10 (symlinks in PGDATA, log modes)



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
            assertThat(asked.out().lines().filter(l -> l.startsWith("status 401") || l.startsWith("refused")).count())
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
            java.net.http.HttpResponse<String> r = Hole269.postSettings(port, token,
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

        static java.net.http.HttpResponse<String> postSettings(int port, String token, String body) throws Exception {
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            "http://127.0.0.1:" + port + "/v1/clusters/" + CLUSTER + "/settings"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(java.time.Duration.ofSeconds(120))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
            try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
                return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            }
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

                public class NoToken {
                    public static void main(String[] args) throws Exception {
                        HttpClient http = HttpClient.newHttpClient();
                        String body = "{\\"set\\": {\\"session_replication_role\\": \\"replica\\"}}";
                        for (String auth : new String[] {null, "Bearer 0123456789abcdef"}) {
                            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + args[0]
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



    // ================================================================ end of holes 7, 8
}
