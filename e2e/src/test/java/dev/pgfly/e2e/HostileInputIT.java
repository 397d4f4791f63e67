package dev.pgfly.e2e;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.util.Json;
import dev.pgfly.testkit.Pgfly;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile input against every door of a running cluster: the CLI, the daemon's API (with and without
 * its token), the agent's API, and the coordination store. Cases are generated from lists of hostile
 * values crossed with every command and endpoint. Each must be refused clearly (CLI: one line on
 * stderr and a non-zero exit; HTTP: 4xx with a one-line JSON error; store: NoAuth), show no stack
 * trace, and change nothing: the cluster's status (minus what moves on its own) and its data are the
 * same afterwards. HTTP cases are cheap and most numerous; CLI cases start a JVM each and run three at a
 * time.
 */
class HostileInputIT {
    private static final String CLUSTER = "victim";
    /** Values that must never pass as a name: traversal, quoting, separators, control characters, Unicode. */
    private static final List<String> HOSTILE_NAMES = List.of("../etc", "..", "a/b", "a\"b", "x'; DROP TABLE guard; --",
            "a;b", "a b", "a\nb", "a\rb", "a\tb", "ünïcødé", "😀", "a".repeat(300), "$(id)", "`id`", "a|b", "-x",
            "m1\n", "m1;", "%2e%2e", "a\\b", "*", "");
    /** The same over HTTP, where a NUL byte can be sent too. */
    private static final List<String> HOSTILE_HTTP_NAMES = concat(HOSTILE_NAMES, List.of("a\u0000b", "m1\u0000"));
    private static final List<String> HOSTILE_NUMBERS = List.of("-1", "0", "-9223372036854775809",
            "99999999999999999999", "1e9", "NaN", "abc", "", " 1", "0x10");

    private static Pgfly pgfly;
    private static String daemonToken;
    private static int daemonPort;
    private static javax.net.ssl.SSLContext daemonTls;
    private static String clusterToken;
    private static String agentApi;
    private static String dcs;
    private static String url;
    private static JsonNode before;
    private static int cases;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        pgfly.ok("create", CLUSTER);
        url = pgfly.ok("url", CLUSTER).out().strip();
        sql("CREATE TABLE guard (id int PRIMARY KEY, v text); INSERT INTO guard SELECT g, md5(g::text) FROM generate_series(1, 1000) g");
        JsonNode daemon = Json.MAPPER.readTree(Files.readString(pgfly.home().resolve("daemon/daemon.json")));
        daemonPort = daemon.get("port").asInt();
        daemonTls = new dev.pgfly.testkit.LocalDaemonApi(pgfly.home()).tls();
        dcs = daemon.get("dcs").asString();
        daemonToken = Files.readString(pgfly.home().resolve("daemon/token")).strip();
        clusterToken = Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/secrets/token")).strip();
        agentApi = pgfly.status(CLUSTER).get("members").get(0).get("api").asString();
        before = snapshot();
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (before != null) {
                assertThat(snapshot()).as("the cluster after every hostile case").isEqualTo(before);
            }
            System.out.println("HostileInputIT: " + cases + " hostile cases tried");
        } finally {
            pgfly.close();
        }
    }

    // ------------------------------------------------------------------ the daemon's API

    @Test
    void daemonApiWithoutTheRightTokenRefusesEverything() throws Exception {
        List<String[]> endpoints = List.of(
                new String[] {"GET", "/v1/ping"}, new String[] {"POST", "/v1/shutdown"},
                new String[] {"GET", "/v1/clusters"}, new String[] {"POST", "/v1/clusters"},
                new String[] {"GET", "/v1/clusters/" + CLUSTER}, new String[] {"DELETE", "/v1/clusters/" + CLUSTER},
                new String[] {"POST", "/v1/clusters/" + CLUSTER + "/stop"},
                new String[] {"POST", "/v1/clusters/" + CLUSTER + "/start"},
                new String[] {"POST", "/v1/clusters/" + CLUSTER + "/switchover"},
                new String[] {"POST", "/v1/clusters/" + CLUSTER + "/members"},
                new String[] {"DELETE", "/v1/clusters/" + CLUSTER + "/members/m1"},
                new String[] {"GET", "/v1/clusters/" + CLUSTER + "/events"},
                new String[] {"GET", "/v1/clusters/" + CLUSTER + "/url"},
                new String[] {"GET", "/v1/clusters/" + CLUSTER + "/logs"},
                new String[] {"GET", "/v1/clusters/" + CLUSTER + "/settings"},
                new String[] {"POST", "/v1/clusters/" + CLUSTER + "/settings"},
                new String[] {"POST", "/v1/clusters/" + CLUSTER + "/restart?force=true"},
                new String[] {"GET", "/v1/nodes"}, new String[] {"POST", "/v1/nodes/join"},
                new String[] {"POST", "/v1/nodes/h1/drain"}, new String[] {"DELETE", "/v1/nodes/h1"},
                new String[] {"GET", "/"}, new String[] {"GET", "/v2/anything"});
        List<String> wrong = List.of("", "Bearer", "Bearer ", "Bearer x", "Bearer " + daemonToken + "x",
                "Bearer " + daemonToken.substring(1), "bearer " + daemonToken, "Basic " + daemonToken,
                "Bearer " + clusterToken, "Bearer  " + daemonToken, "Bearer " + daemonToken.toUpperCase(),
                "Bearer " + "A".repeat(4_000));
        for (String[] e : endpoints) {
            for (String auth : wrong) {
                Response r = http(daemonPort, e[0], e[1], auth.isEmpty() ? null : auth,
                        "{\"name\":\"evil\",\"config\":\"dev\"}");
                assertRefused(r, 401, e[0] + " " + e[1] + " with '" + abbreviate(auth) + "'");
            }
        }
    }

    @Test
    void daemonApiRefusesMalformedBodies() throws Exception {
        List<String> bodies = new ArrayList<>(List.of("", "{", "}", "[]", "null", "123", "\"x\"", "{\"name\":",
                "{\"name\":\"hostile-a\"}}", "{\"name\":\"hostile-a\",}", "{'name':'hostile-a'}",
                "{\"name\":\"hostile-a\",\"evil\":true}", "{\"name\":[\"hostile-a\"]}", "{\"name\":{\"a\":1}}",
                "{\"name\":\"hostile-a\",\"members\":\"many\"}", "{\"name\":\"hostile-a\",\"members\":-1}",
                "{\"name\":\"hostile-a\",\"members\":2147483648}", "{\"name\":\"hostile-a\",\"members\":1.5e99}",
                "{\"name\":\"hostile-a\",\"members\":100}", "{\"name\":\"hostile-a\",\"port\":-5}",
                "{\"name\":\"hostile-a\",\"port\":70000}", "{\"name\":\"hostile-a\",\"port\":80}",
                "{\"name\":\"hostile-a\",\"idle_timeout_seconds\":-5}", "{\"name\":\"hostile-a\",\"synchronous\":\"yes\"}",
                "{\"name\":\"hostile-a\",\"config\":\"prod\"}", "{\"name\":\"hostile-a\",\"region\":\"../x\"}",
                "{\"name\":\"hostile-a\",\"members\":null}", "{\"name\":\"" + CLUSTER + "\"}",
                "[".repeat(5000) + "]".repeat(5000), "{\"name\":\"" + "a".repeat(200_000) + "\"}",
                "\u0000\u0001\u0002", "\uFEFF{\"name\":\"hostile-a\",\"members\":-1}"));
        for (String name : HOSTILE_HTTP_NAMES) {
            bodies.add("{\"name\":" + Json.text(name) + "}");
        }
        for (String body : bodies) {
            assertRefused(http(daemonPort, "POST", "/v1/clusters", "Bearer " + daemonToken, body), 0,
                    "create " + abbreviate(body));
        }
        List<String> settings = new ArrayList<>(List.of("", "{", "[]", "{\"set\":[]}", "{\"set\":\"a=b\"}",
                "{\"set\":{\"work_mem\":\"64MB\"},\"evil\":1}", "{\"reset\":\"work_mem\"}", "{\"set\":{\"\":\"x\"}}",
                "{\"set\":{\"work_mem\":null}}", "{\"set\":{\"work_mem\":\"1\\n2\"}}", "{\"set\":{\"work_mem\":\"a\\u0000\"}}",
                "{\"reset\":[\"archive_command\"]}", "{\"set\":{\"a\":\"" + "b".repeat(100_000) + "\"}}"));
        for (String owned : List.of("archive_command", "restore_command", "archive_cleanup_command",
                "recovery_end_command", "ssl_passphrase_command", "dynamic_library_path", "local_preload_libraries",
                "session_preload_libraries", "jit_provider", "archive_library", "port", "listen_addresses",
                "primary_conninfo", "hba_file", "data_directory", "ssl_key_file", "fsync", "ARCHIVE_COMMAND")) {
            settings.add("{\"set\":{" + Json.text(owned) + ":\"touch /tmp/pwned\"}}");
        }
        for (String lib : List.of("/tmp/evil.so", "$libdir/evil", "evil", "pg_stat_statements,evil", "../evil")) {
            settings.add("{\"set\":{\"shared_preload_libraries\":" + Json.text(lib) + "}}");
        }
        for (String name : HOSTILE_HTTP_NAMES) {
            settings.add("{\"set\":{" + Json.text(name) + ":\"1\"}}");
            settings.add("{\"reset\":[" + Json.text(name) + "]}");
        }
        for (String body : settings) {
            assertRefused(http(daemonPort, "POST", "/v1/clusters/" + CLUSTER + "/settings", "Bearer " + daemonToken,
                    body), 0, "settings " + abbreviate(body));
        }
        // member update: the cluster's one member may not be tagged nofailover (nothing could lead then).
        for (String body : List.of("", "{", "[]", "{}", "null", "{\"failover_priority\":\"x\"}",
                "{\"failover_priority\":-1}", "{\"failover_priority\":1001}", "{\"failover_priority\":99999999999}",
                "{\"no_failover\":\"maybe\"}", "{\"no_sync\":[]}", "{\"no_failover\":true}",
                "{\"no_failover\":true,\"failover_priority\":5}")) {
            assertRefused(http(daemonPort, "POST", "/v1/clusters/" + CLUSTER + "/members/m1", "Bearer " + daemonToken,
                    body), 0, "member update " + abbreviate(body));
        }
        for (String name : HOSTILE_HTTP_NAMES) {
            assertRefused(http(daemonPort, "POST", "/v1/clusters/" + CLUSTER + "/members/" + encode(name),
                    "Bearer " + daemonToken, "{\"no_sync\":true}"), 0, "member update of " + abbreviate(name));
        }
    }

    /**
     * A client that declares a body and never sends it, with the token (413: declared too large) and without
     * (401): the answer comes at once, and the daemon then closes the connection within its limit on receiving
     * a request instead of waiting for the body for as long as the client likes.
     */
    @Test
    void aClientThatWithholdsItsBodyIsCutOff() throws Exception {
        try (ExecutorService both = Executors.newFixedThreadPool(2)) {
            Future<Long> tooLarge = both.submit(() -> secondsUntilClosed("Bearer " + daemonToken, 413));
            Future<Long> noToken = both.submit(() -> secondsUntilClosed(null, 401));
            long limit = dev.pgfly.core.http.HttpCalls.MAX_REQUEST_SECONDS + 10;
            assertThat(tooLarge.get()).as("seconds until the daemon closed a connection after its 413").isLessThanOrEqualTo(limit);
            assertThat(noToken.get()).as("seconds until the daemon closed a connection after its 401").isLessThanOrEqualTo(limit);
        }
    }

    private static long secondsUntilClosed(String authorization, int expected) throws IOException {
        count();
        long started = System.nanoTime();
        try (Socket s = daemonTls.getSocketFactory().createSocket("127.0.0.1", daemonPort)) {
            s.setSoTimeout(60_000);
            String head = "POST /v1/clusters HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            Response answer = parse(in);
            assertThat(answer.status).isEqualTo(expected);
            try {
                assertThat(in.read()).as("nothing after the answer").isEqualTo(-1);
            } catch (java.net.SocketTimeoutException stillOpen) {
                throw new AssertionError("the daemon kept the connection open for 60 s after its " + expected);
            } catch (IOException reset) {
                // closed without TLS's close_notify (a reset): closed all the same
            }
        }
        return (System.nanoTime() - started) / 1_000_000_000L;
    }

    @Test
    void daemonApiRefusesHostilePathsAndParameters() throws Exception {
        String token = "Bearer " + daemonToken;
        String c = "/v1/clusters/" + CLUSTER;
        List<String[]> requests = new ArrayList<>();
        for (String name : HOSTILE_HTTP_NAMES) {
            String n = encode(name);
            if (n.isEmpty()) {
                continue;
            }
            for (String[] e : List.of(new String[] {"GET", ""}, new String[] {"DELETE", ""},
                    new String[] {"POST", "/start"}, new String[] {"POST", "/stop"}, new String[] {"GET", "/events"},
                    new String[] {"GET", "/settings"}, new String[] {"POST", "/members"})) {
                requests.add(new String[] {e[0], "/v1/clusters/" + n + e[1]});
            }
            requests.add(new String[] {"DELETE", c + "/members/" + n});
            requests.add(new String[] {"POST", c + "/switchover?to=" + n});
            requests.add(new String[] {"POST", c + "/members?region=" + n});
            requests.add(new String[] {"GET", c + "/logs?member=" + n});
            requests.add(new String[] {"GET", c + "/url?database=" + n});
            requests.add(new String[] {"GET", c + "/url?region=" + n});
            requests.add(new String[] {"POST", c + "/restart?member=" + n});
            requests.add(new String[] {"POST", c + "/restart?force=" + n});
            // The installation's calls (refused on a one-host daemon, and their names checked on a node).
            requests.add(new String[] {"POST", c + "/members?node=" + n});
            requests.add(new String[] {"POST", c + "/members?same_host=" + n});
            requests.add(new String[] {"POST", "/v1/nodes/" + n + "/drain"});
            requests.add(new String[] {"DELETE", "/v1/nodes/" + n});
        }
        requests.addAll(List.of(new String[] {"POST", "/v1/nodes/join"}, new String[] {"GET", "/v1/nodes/a/b/c"},
                new String[] {"PUT", "/v1/nodes"}, new String[] {"POST", "/v1/nodes/h1/explode"}));
        for (String number : HOSTILE_NUMBERS) {
            requests.add(new String[] {"GET", c + "/events?limit=" + encode(number)});
            requests.add(new String[] {"POST", c + "/restart?at=" + encode(number)});
            requests.add(new String[] {"POST", c + "/switchover?at=" + encode(number)});
        }
        // Scheduled operations: a future moment, but a hostile member name or operation kind.
        String later = Long.toString(System.currentTimeMillis() + 3_600_000L);
        for (String name : HOSTILE_HTTP_NAMES) {
            String n = encode(name);
            requests.add(new String[] {"POST", c + "/restart?at=" + later + "&member=" + n});
            if (!n.isEmpty()) {
                requests.add(new String[] {"DELETE", c + "/scheduled/" + n});
            }
        }
        requests.addAll(List.of(new String[] {"DELETE", c + "/scheduled"}, new String[] {"DELETE", c + "/scheduled/restart"},
                new String[] {"DELETE", c + "/scheduled/restart/x"}, new String[] {"GET", c + "/scheduled/restart"},
                new String[] {"POST", c + "/switchover?at=" + later}, new String[] {"POST", c + "/scheduled"}));
        requests.addAll(List.of(new String[] {"GET", c + "/events?limit=501"}, new String[] {"GET", c + "/url?replica=maybe"},
                new String[] {"PUT", c}, new String[] {"PATCH", c + "/settings"}, new String[] {"DELETE", c + "/settings"},
                new String[] {"POST", c + "/members/m1"}, new String[] {"DELETE", c + "/members"},
                new String[] {"DELETE", c + "/members/m1"}, new String[] {"POST", c + "/switchover"},
                new String[] {"POST", c + "/switchover?to=m1"}, new String[] {"GET", c + "/members/m1/x"},
                new String[] {"GET", c + "/url/x/y"}, new String[] {"GET", c + "/../../etc/passwd"},
                new String[] {"GET", "/v1/clusters/..%2F..%2Fetc"}, new String[] {"GET", "/v1/"},
                new String[] {"TRACE", c}, new String[] {"GET", "/v1/shutdown"},
                // A parameter given twice (or once encoded): one parser for every API refuses it rather than
                // letting a check read one value and the action another.
                new String[] {"GET", c + "/events?limit=1&limit=999999"}, new String[] {"GET", c + "/url?database=a&%64atabase=b"},
                new String[] {"GET", c + "/events?=1"}));
        for (String[] r : requests) {
            assertRefused(http(daemonPort, r[0], r[1], token, null), 0, r[0] + " " + r[1]);
        }
        // A request line that is not a URI is refused by the JDK's HTTP server before any pgfly code runs:
        // 400 with its own short text body, never reaching a handler.
        for (String raw : List.of("/v1/clusters/%", c + "/events?limit=%zz", "/v1/clusters/a b")) {
            Response r = http(daemonPort, "GET", raw, token, null);
            assertThat(r.status).as(raw).isBetween(400, 499);
            assertThat(looksLikeStackTrace(r.body)).as(raw + ": " + r.body).isFalse();
        }
    }

    // ------------------------------------------------------------------ the agent's API

    @Test
    void agentApiRefusesWhatItShould() throws Exception {
        URI api = URI.create(agentApi);
        String token = "Bearer " + clusterToken;
        List<String> wrong = List.of("", "Bearer x", "Bearer " + daemonToken, "Bearer " + clusterToken + "x",
                "Basic " + clusterToken, "Bearer " + clusterToken.substring(0, 20));
        for (String query : List.of("", "?primary=true", "?primary=false")) {
            for (String auth : wrong) {
                for (String method : List.of("POST", "GET", "PUT", "DELETE")) {
                    assertRefused(http(api.getPort(), api.getHost(), method, "/restart" + query,
                            auth.isEmpty() ? null : auth, "{}"), 401, method + " /restart" + query + " '" + auth + "'");
                }
            }
        }
        for (String query : List.of("?primary=yes", "?primary=true&primary=true", "?member=../m1", "?primary=%00", "?x")) {
            assertRefused(http(api.getPort(), api.getHost(), "POST", "/restart" + query, token, null), 400, query);
        }
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
            assertRefused(http(api.getPort(), api.getHost(), method, "/restart", token, null), 405, method);
        }
        assertRefused(http(api.getPort(), api.getHost(), "POST", "/restart", token, "x".repeat(100_000)), 413, "big body");
        // The one member is the primary: restarting it in place needs ?primary=true, so this is refused.
        assertRefused(http(api.getPort(), api.getHost(), "POST", "/restart", token, null), 409, "primary");
        for (String path : List.of("/status", "/health", "/primary", "/replica", "/checks", "/metrics")) {
            for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
                assertRefused(http(api.getPort(), api.getHost(), method, path, token, "{\"role\":\"primary\"}"), 405,
                        method + " " + path);
            }
            assertRefused(http(api.getPort(), api.getHost(), "GET", path + "/x", null, null), 404, path + "/x");
        }
        for (String path : List.of("/", "/admin", "/status/../restart", "/restart/x", "/%00", "/config", "/switchover",
                "/../../etc/passwd", "/" + "a".repeat(5000))) {
            assertRefused(http(api.getPort(), api.getHost(), "POST", path, token, null), 404, path);
        }
        for (String path : List.of("/health", "/checks", "/status", "/metrics")) {
            Response r = http(api.getPort(), api.getHost(), "GET", path, null, null);
            assertThat(r.status).as("open read-only " + path).isIn(200, 503);
        }
    }

    // ------------------------------------------------------------------ the coordination store

    @Test
    void storeRefusesClientsWithoutCredentials() throws Exception {
        DcsAddress address = DcsAddress.parse(dcs);
        try (CuratorFramework anonymous = ZkConnections.startAndWait(address, Duration.ofSeconds(10), null,
                Duration.ofSeconds(30))) {
            String base = address.root() + "/" + CLUSTER;
            byte[] forged = "{\"member\":\"evil\",\"term\":999,\"host\":\"10.0.0.1\",\"pg_port\":5432,\"ready\":true}"
                    .getBytes(StandardCharsets.UTF_8);
            for (String node : List.of("leader", "config", "term", "last_leader", "initialize", "members/m1")) {
                count();
                assertThatThrownBy(() -> anonymous.setData().forPath(base + "/" + node, forged)).as("write " + node)
                        .isInstanceOf(KeeperException.NoAuthException.class);
                count();
                assertThatThrownBy(() -> anonymous.delete().forPath(base + "/" + node)).as("delete " + node)
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            for (String node : List.of("switchover", "wake", "leader2", "history/e-9999999999")) {
                count();
                assertThatThrownBy(() -> anonymous.create().forPath(base + "/" + node, forged)).as("create " + node)
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            count();
            assertThatThrownBy(() -> anonymous.create().forPath(address.root() + "/evil", forged))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            count();
            assertThatThrownBy(() -> anonymous.delete().deletingChildrenIfNeeded().forPath(base))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
    }

    // ------------------------------------------------------------------ the command line

    @Test
    void commandLineRefusesHostileArguments() throws Exception {
        List<List<String>> calls = new ArrayList<>();
        // Names that are invalid from the first character on, so no call can reach a real object. Every
        // command gets two of them, in turn, so that each name meets several commands: a JVM per call is
        // the cost that keeps this list short.
        List<String> names = List.of("../etc", "a\"b", "x'; DROP TABLE guard; --", "a;b", "a\nb", "ünïcødé",
                "a".repeat(300), "$(id)", "");
        List<java.util.function.Function<String, List<String>>> commands = List.of(
                n -> List.of("status", n), n -> List.of("destroy", n, "--yes"), n -> List.of("stop", n),
                n -> List.of("url", n), n -> List.of("events", n), n -> List.of("failover", CLUSTER, "--to", n),
                n -> List.of("member", "remove", CLUSTER, n), n -> List.of("member", "add", CLUSTER, "--region", n),
                n -> List.of("attach", CLUSTER, "--app", n), n -> List.of("db", "create", CLUSTER, n),
                n -> List.of("db", "drop", CLUSTER, n, "--yes"), n -> List.of("users", "create", CLUSTER, n),
                n -> List.of("users", "drop", CLUSTER, n, "--yes"), n -> List.of("url", CLUSTER, "--database", n),
                n -> List.of("logs", CLUSTER, "--member", n), n -> List.of("restart", CLUSTER, "--member", n),
                n -> List.of("config", "update", CLUSTER, "--set", n + "=1"));
        int k = 0;
        for (var command : commands) {
            calls.add(command.apply(names.get(k++ % names.size())));
            calls.add(command.apply(names.get(k++ % names.size())));
        }
        for (String number : List.of("-1", "0", "99999999999")) {
            calls.add(List.of("events", CLUSTER, "--limit", number));
            calls.add(List.of("create", "hostile-n", "--members", number.equals("0") ? "10" : number));
        }
        calls.add(List.of("import", CLUSTER, "postgres://localhost:1/x", "--jobs", "-1"));
        // issue 18, hole 2: secrets on pgfly's own command line
        calls.add(List.of("import", CLUSTER, "postgres://u:secret@localhost:1/x"));
        calls.add(List.of("backup", "config", CLUSTER, "--s3-secret-key", "secret"));
        calls.add(List.of("logs", CLUSTER, "--lines", "-5"));
        calls.add(List.of("create", "hostile-p", "--port", "70000"));
        calls.add(List.of("create", "hostile-p", "--port", "-1"));
        calls.add(List.of("create", "hostile-c", "--config", "prod"));
        calls.add(List.of("create", "hostile-s", "--scale-to-zero", "--idle-timeout", "-5m"));
        for (String setting : List.of("archive_command=touch /tmp/pwned", "dynamic_library_path=/tmp",
                "shared_preload_libraries=/tmp/evil.so", "work_mem=1\n2", "max_connections=99999999999", "=1",
                // issue 18, hole 9: recovery, replication roles and integrity
                "recovery_target_lsn=0/3000060", "session_replication_role=replica", "ssl_dh_params_file=/etc/passwd")) {
            calls.add(List.of("config", "update", CLUSTER, "--set", setting));
        }
        calls.add(List.of("config", "update", CLUSTER, "--reset", "archive_command"));
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            List<Future<String>> results = new ArrayList<>();
            for (List<String> call : calls) {
                results.add(pool.submit(() -> checkCliRefusal(call)));
            }
            List<String> problems = new ArrayList<>();
            for (Future<String> f : results) {
                String p = f.get();
                if (p != null) {
                    problems.add(p);
                }
            }
            assertThat(problems).as("CLI cases that were not refused cleanly").isEmpty();
        }
    }

    private static String checkCliRefusal(List<String> call) {
        count();
        Pgfly.Result r = pgfly.run(call.toArray(String[]::new));
        String err = r.err().strip();
        String shown = String.join(" ", call.stream().map(HostileInputIT::abbreviate).toList());
        if (r.exit() == 0) {
            return shown + ": exit 0 (" + abbreviate(r.out()) + ")";
        }
        if (err.lines().count() != 1 || !err.startsWith("pgfly: ")) {
            return shown + ": not one line on stderr: " + abbreviate(err);
        }
        if (looksLikeStackTrace(err)) {
            return shown + ": stack trace: " + abbreviate(err);
        }
        return null;
    }

    // ------------------------------------------------------------------ helpers

    private record Response(int status, String contentType, String body) {
    }

    /** The daemon's API: the same raw exchange inside its TLS (the token never crosses loopback in clear). */
    private static Response http(int port, String method, String path, String authorization, String body)
            throws IOException {
        return exchange(daemonTls.getSocketFactory().createSocket("127.0.0.1", port), "127.0.0.1", method, path,
                authorization, body);
    }

    private static Response http(int port, String host, String method, String path, String authorization, String body)
            throws IOException {
        return exchange(new Socket(host, port), host, method, path, authorization, body);
    }

    /**
     * A raw HTTP/1.1 exchange over a socket: no client library in the way, so that anything (NUL bytes,
     * odd methods, huge headers) reaches the server exactly as written.
     */
    private static Response exchange(Socket socket, String host, String method, String path, String authorization,
                                     String body) throws IOException {
        count();
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
        if (authorization != null) {
            head.append("Authorization: ").append(authorization).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
        }
        head.append("\r\n");
        try (Socket s = socket) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (s instanceof javax.net.ssl.SSLSocket && payload.length > dev.pgfly.core.http.HttpCalls.MAX_BODY_BYTES) {
                // Over TLS a body the server refuses by its declared length is not sent: a write that meets the
                // server's close ends the whole TLS socket, and the 413 already on its way with it. The server
                // must answer from the head alone (a server that waited for the body fails here by timeout).
                return parse(s.getInputStream());
            }
            // The body from another thread: the server may answer (413) and close before reading all of it.
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(payload);
                    out.flush();
                } catch (IOException e) {
                    // refused before the end of the body
                }
            });
            Response r = parse(s.getInputStream());
            writer.interrupt();
            return r;
        }
    }

    /**
     * Reads one answer: its head, then as many bytes as it says (Content-Length, or to the last chunk), else to the
     * end of the stream. Not to the end in every case: after refusing a body declared too large (413) the JDK's
     * server keeps the connection open waiting for that body, and a reader that waited for the end sat out its
     * socket timeout (60 s) on each such case.
     */
    private static Response parse(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while (!complete(all.toString(StandardCharsets.ISO_8859_1)) && (n = in.read(buf)) >= 0) {
                all.write(buf, 0, n);
            }
        } catch (IOException e) {
            // a reset after the answer: keep what arrived
        }
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no HTTP answer: " + abbreviate(text));
        }
        String[] headLines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(headLines[0].split(" ")[1]);
        String type = "";
        for (String h : headLines) {
            if (h.toLowerCase().startsWith("content-type:")) {
                type = h.substring("content-type:".length()).strip();
            }
        }
        String rest = text.substring(end + 4);
        if (text.substring(0, end).toLowerCase().contains("transfer-encoding: chunked")) {
            rest = dechunk(rest);
        }
        return new Response(status, type, rest);
    }

    /** Whether {@code soFar} (bytes as ISO-8859-1, one char each) holds a whole answer by its own framing. */
    private static boolean complete(String soFar) {
        int end = soFar.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = soFar.substring(0, end).toLowerCase();
        if (head.contains("transfer-encoding: chunked")) {
            return soFar.substring(end + 4).contains("0\r\n\r\n");
        }
        for (String line : head.split("\r\n")) {
            if (line.startsWith("content-length:")) {
                return soFar.length() - (end + 4) >= Long.parseLong(line.substring("content-length:".length()).strip());
            }
        }
        return false;
    }

    private static String dechunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int eol = s.indexOf("\r\n", i);
            int size = Integer.parseInt(s.substring(i, eol).strip(), 16);
            if (size == 0) {
                break;
            }
            out.append(s, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    /** A 4xx (the given one, or any when 0) with a one-line JSON error and no trace of the server's insides. */
    private static void assertRefused(Response r, int expected, String what) {
        if (expected != 0) {
            assertThat(r.status).as(what + ": " + r.body).isEqualTo(expected);
        } else {
            assertThat(r.status).as(what + ": " + r.body).isBetween(400, 499);
        }
        assertThat(r.contentType).as(what).startsWith("application/json");
        JsonNode json = Json.MAPPER.readTree(r.body);
        assertThat(json.has("error")).as(what + ": " + r.body).isTrue();
        String error = json.get("error").asString();
        assertThat(error).as(what).isNotBlank().doesNotContain("\n");
        assertThat(looksLikeStackTrace(error)).as(what + ": " + error).isFalse();
    }

    private static boolean looksLikeStackTrace(String s) {
        return s.contains("\tat ") || s.contains("at dev.pgfly") || s.contains("at java.") || s.contains("Exception:")
                || s.contains("Caused by") || s.contains("tools.jackson") || s.contains("NullPointer");
    }

    /** The cluster as `status --json` shows it, minus what changes on its own (positions, lag, checks). */
    private static JsonNode snapshot() throws Exception {
        ObjectNode status = (ObjectNode) pgfly.status(CLUSTER);
        for (JsonNode m : status.get("members")) {
            ((ObjectNode) m).remove(List.of("lsn", "lag_bytes", "lag_seconds", "checks"));
        }
        ObjectNode all = Json.MAPPER.createObjectNode();
        all.set("status", status);
        List<String> clusters = new ArrayList<>();
        pgfly.ok("list", "--json").json().forEach(c -> clusters.add(c.get("name").asString() + ":" + c.get("state").asString()));
        all.set("clusters", Json.MAPPER.valueToTree(clusters));
        all.set("settings", pgfly.ok("config", "show", CLUSTER, "--json").json().get("configured"));
        all.set("users", pgfly.ok("users", "list", CLUSTER, "--json").json());
        all.set("databases", names(pgfly.ok("db", "list", CLUSTER, "--json").json()));
        all.put("data", sql("SELECT count(*) || ':' || md5(string_agg(id || v, ',' ORDER BY id)) FROM guard"));
        all.put("roles", sql("SELECT string_agg(rolname || rolsuper, ',' ORDER BY rolname) FROM pg_roles"));
        all.put("tables", sql("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
        all.put("tmp_pwned", Files.exists(java.nio.file.Path.of("/tmp/pwned")));
        return all;
    }

    private static JsonNode names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(d -> names.add(d.get("name").asString()));
        Collections.sort(names);
        return Json.MAPPER.valueToTree(names);
    }

    private static String sql(String query) throws Exception {
        String jdbc = url.replaceFirst("^postgres://([^:]+):([^@]+)@", "jdbc:postgresql://");
        String[] creds = url.substring("postgres://".length(), url.indexOf('@')).split(":", 2);
        try (Connection c = DriverManager.getConnection(jdbc, creds[0], creds[1]); Statement st = c.createStatement()) {
            boolean rows = st.execute(query);
            if (!rows) {
                return null;
            }
            try (ResultSet rs = st.getResultSet()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.') {
                sb.append((char) c);
            } else {
                sb.append(String.format("%%%02X", c));
            }
        }
        return sb.toString();
    }

    private static synchronized void count() {
        cases++;
    }

    private static String abbreviate(String s) {
        String one = s.replace("\n", "\\n").replace("\r", "\\r").replace("\u0000", "\\0");
        return one.length() > 80 ? one.substring(0, 80) + "..." : one;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
