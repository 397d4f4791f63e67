package dev.pgfly.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.pgfly.core.http.HttpCalls;
import dev.pgfly.node.api.CreateRequest;
import dev.pgfly.node.api.SettingsUpdate;
import dev.pgfly.node.install.InstallationService;
import dev.pgfly.node.install.JoinRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The daemon's local HTTP API, on 127.0.0.1 only. Every call needs the token from the daemon's
 * token file (mode 0600), so only its owner can drive it; bodies are size-limited and parsed
 * strictly, and every refusal is a one-line JSON error.
 *
 * <pre>
 * GET    /v1/ping
 * GET    /v1/clusters                         POST /v1/clusters (create)
 * GET    /v1/clusters/NAME                    DELETE /v1/clusters/NAME
 * POST   /v1/clusters/NAME/start|stop         POST /v1/clusters/NAME/switchover?to=M
 * GET    /v1/clusters/NAME/failover-plan?to=M  POST /v1/clusters/NAME/pause?for_seconds=S|resume, GET .../pause
 * POST   /v1/clusters/NAME/members?region=R   DELETE /v1/clusters/NAME/members/M
 * POST   /v1/clusters/NAME/members/M  {"failover_priority": N, "no_failover": B, "no_sync": B}  (tags)
 * GET    /v1/clusters/NAME/events?limit=N     GET /v1/clusters/NAME/url?replica=&database=&region=&pooled=
 * POST   /v1/clusters/NAME/pooler?mode=transaction|session|off&pool_size=N
 * GET    /v1/clusters/NAME/logs?member=M      (paths of the members' log files)
 * GET    /v1/clusters/NAME/cert               (the cluster's CA certificate: TLS clusters only)
 * GET    /v1/clusters/NAME/settings           POST /v1/clusters/NAME/settings (SettingsUpdate)
 * POST   /v1/clusters/NAME/restart?force=&member=     POST /v1/clusters/NAME/upgrade?pg_bin=DIR
 * POST   .../switchover?at=MS&to=M, .../restart?at=MS&force=&member=  (scheduled for later, in the store)
 * GET    /v1/clusters/NAME/scheduled          DELETE /v1/clusters/NAME/scheduled/switchover|restart
 * POST   .../switchover?to=M&allow_other_region=true  (disaster recovery: M's region becomes the primary region)
 * POST   /v1/zookeeper/restart?down_ms=N  (a fault drill: the embedded ZooKeeper down for N ms, 0..60000)
 * POST   /v1/shutdown
 * GET    /dashboard/...   the read-only web page, with its own login (see dev.pgfly.node.dashboard.Dashboard)
 * </pre>
 */
final class DaemonApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DaemonApi.class);

    private final HttpsServer server;
    private final ClusterManager clusters;
    private final String token;
    private final Runnable shutdown;
    private final EmbeddedZooKeeper zookeeper;
    private volatile InstallationService installation;
    private volatile String installationToken;
    private HttpServer remote;

    /** @param zookeeper the embedded one-host server (its restart is a fault drill), or null for a node of several */
    /** @param localTls the local API's identity (see {@link LocalApiCertificate}): the token crosses loopback only in TLS */
    DaemonApi(ClusterManager clusters, String token, Runnable shutdown, EmbeddedZooKeeper zookeeper, SSLContext localTls)
            throws IOException {
        this.clusters = clusters;
        this.token = token;
        this.shutdown = shutdown;
        this.zookeeper = zookeeper;
        dev.pgfly.core.http.HttpCalls.configureJdkServer();
        this.server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(localTls));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", HttpCalls.guarded(this::handle));
        server.start();
    }

    /**
     * A node of an installation also answers on its own address, for other hosts' CLI and for joining
     * nodes, with the installation's token ({@code /v1/nodes...} as well as every cluster call), over TLS
     * only: the token and a join's answer (the store's password, the CA key) never cross a link in clear.
     */
    DaemonApi servingInstallation(InstallationService service, String installToken, String address, int port,
                                  SSLContext tls) throws IOException {
        this.installation = service;
        this.installationToken = installToken;
        HttpsServer https = HttpsServer.create(new InetSocketAddress(address, port), 64);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        this.remote = https;
        remote.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        remote.createContext("/", HttpCalls.guarded(this::handle));
        remote.start();
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /**
     * Serves {@code handler} under {@code path} on every listener of this API (call it after
     * {@link #servingInstallation}). Its requests do not pass the token check below: the handler has its
     * own (the dashboard's read-only page and its login cookie).
     */
    DaemonApi serving(String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(path, handler);
        if (remote != null) {
            remote.createContext(path, handler);
        }
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        // The token first, for every path: without it a caller learns nothing, not even which APIs exist.
        if (!HttpCalls.bearerMatches(ex, token) && (installationToken == null || !HttpCalls.bearerMatches(ex, installationToken))) {
            HttpCalls.error(ex, 401, "missing or wrong daemon token");
            return;
        }
        String path = ex.getRequestURI().getPath();
        if (!path.startsWith("/v1/")) {
            HttpCalls.error(ex, 404, "no such API: " + path);
            return;
        }
        try {
            Object body = route(ex.getRequestMethod(), path, HttpCalls.queryParameters(ex), ex);
            HttpCalls.respond(ex, 200, body == null ? Map.of("ok", true) : body);
        } catch (HttpCalls.Refused e) {
            throw e;
        } catch (NoSuchElementException404 e) {
            HttpCalls.error(ex, 404, e.getMessage());
        } catch (IllegalArgumentException e) {
            HttpCalls.error(ex, 400, e.getMessage());
        } catch (IllegalStateException e) {
            HttpCalls.error(ex, 409, e.getMessage());
        } catch (Exception e) {
            log.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            HttpCalls.error(ex, 500, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private Object route(String method, String path, Map<String, String> q, HttpExchange ex) throws Exception {
        // Keep empty segments (split drops trailing ones): POST .../members/ with an empty member name
        // must be refused, never read as POST .../members, which adds a member.
        String[] p = path.substring("/v1/".length()).split("/", -1);
        if (java.util.Arrays.stream(p).anyMatch(String::isEmpty)) {
            throw new NoSuchElementException404("no such API: " + path);
        }
        String resource = p[0];
        if (resource.equals("ping")) {
            return Map.of("pid", ProcessHandle.current().pid());
        }
        if (resource.equals("shutdown") && method.equals("POST")) {
            Thread.ofPlatform().start(shutdown);
            return null;
        }
        if (resource.equals("nodes")) {
            return nodes(method, p, q, ex);
        }
        if (resource.equals("zookeeper") && zookeeper != null && p.length == 2 && p[1].equals("restart") && method.equals("POST")) {
            long down = downMillis(q.getOrDefault("down_ms", "0"));
            zookeeper.restart(java.time.Duration.ofMillis(down));
            return Map.of("down_ms", down, "port", zookeeper.port());
        }
        if (!resource.equals("clusters")) {
            throw new NoSuchElementException404("no such API: " + path);
        }
        if (p.length == 1) {
            return switch (method) {
                case "GET" -> clusters.list();
                case "POST" -> clusters.create(HttpCalls.jsonBody(ex, CreateRequest.class));
                default -> throw new IllegalArgumentException("unsupported " + method + " " + path);
            };
        }
        String name = p[1];
        String action = p.length > 2 ? p[2] : "";
        // Exactly the paths listed above: a trailing segment must never be ignored (POST .../members/x
        // would otherwise add a member).
        boolean memberPath = action.equals("members") && (method.equals("DELETE") || method.equals("POST"));
        boolean scheduledPath = action.equals("scheduled") && method.equals("DELETE");
        if (p.length > (memberPath || scheduledPath ? 4 : 3)) {
            throw new NoSuchElementException404("no such API: " + path);
        }
        return switch (method + " " + action) {
            case "GET " -> clusters.status(name);
            case "DELETE " -> {
                clusters.destroy(name);
                yield null;
            }
            case "POST start" -> {
                clusters.startCluster(name);
                yield clusters.status(name);
            }
            case "POST stop" -> {
                clusters.stopCluster(name);
                yield clusters.status(name);
            }
            case "POST switchover" -> flag(q, "allow_other_region")
                    ? clusters.failoverToOtherRegion(name, q.get("to"))
                    : q.containsKey("at")
                    ? Map.of("scheduled", clusters.schedule().switchover(name, q.get("at"), q.get("to")))
                    : Map.of("primary", clusters.switchover(name, q.get("to")));
            case "GET scheduled" -> clusters.schedule().list(name);
            case "DELETE scheduled" -> {
                if (p.length < 4) {
                    throw new IllegalArgumentException("which scheduled operation: switchover or restart?");
                }
                yield Map.of("cancelled", clusters.schedule().cancel(name, p[3]));
            }
            case "GET failover-plan" -> clusters.pauses().failoverPlan(name, q.get("to"));
            case "POST pause" -> clusters.pauses().pause(name, q.get("for_seconds"));
            case "POST resume" -> clusters.pauses().resume(name);
            case "GET pause" -> clusters.pauses().state(name);
            case "POST members" -> p.length == 4
                    ? clusters.updateMember(name, p[3], HttpCalls.jsonBody(ex, dev.pgfly.node.api.MemberTagsUpdate.class))
                    : clusters.addMember(name, q.get("region"), q.get("node"), flag(q, "same_host"));
            case "DELETE members" -> {
                if (p.length < 4) {
                    throw new IllegalArgumentException("which member?");
                }
                yield clusters.removeMember(name, p[3]);
            }
            case "GET logs" -> clusters.logFiles(name, q.get("member"));
            case "GET settings" -> clusters.settings(name);
            case "POST settings" -> clusters.updateSettings(name, HttpCalls.jsonBody(ex, SettingsUpdate.class));
            case "POST restart" -> q.containsKey("at")
                    ? Map.of("scheduled", clusters.schedule().restart(name, q.get("at"), flag(q, "force"), q.get("member")))
                    : clusters.restart(name, flag(q, "force"), q.get("member"));
            case "POST upgrade" -> clusters.upgrade(name, q.get("pg_bin"));
            case "GET events" -> clusters.events(name, limit(q.getOrDefault("limit", "50")));
            case "GET url" -> {
                Map<String, Object> urls = new java.util.LinkedHashMap<>();
                boolean single = flag(q, "single_host");
                if (flag(q, "pooled")) {
                    if (flag(q, "replica") || q.get("region") != null) {
                        throw new IllegalArgumentException("the pooled URL leads to the primary: not with a replica or region");
                    }
                    urls.put("url", clusters.pooledUrl(name, q.get("database"), single, false));
                    urls.put("verify_url", clusters.pooledUrl(name, q.get("database"), single, true));
                    yield urls;
                }
                urls.put("url", clusters.url(name, flag(q, "replica"), q.get("database"), q.get("region"), single));
                urls.put("verify_url", clusters.verifyUrl(name, flag(q, "replica"), q.get("database"), q.get("region"), single));
                yield urls;
            }
            case "GET cert" -> clusters.certificate(name);
            case "POST pooler" -> clusters.updatePooler(name, q.get("mode"),
                    q.get("pool_size") == null ? null : poolSize(q.get("pool_size")));
            default -> throw new IllegalArgumentException("unsupported " + method + " " + path);
        };
    }

    /**
     * <pre>
     * GET  /v1/nodes                  POST /v1/nodes/join (JoinRequest)
     * POST /v1/nodes/NAME/drain|undrain   DELETE /v1/nodes/NAME
     * </pre>
     */
    private Object nodes(String method, String[] p, Map<String, String> q, HttpExchange ex) throws Exception {
        if (installation == null) {
            throw new IllegalStateException("this host is a one-host install, not a node of several: run `pgfly node init` to make one");
        }
        if (p.length > 3) {
            throw new NoSuchElementException404("no such API: /v1/" + String.join("/", p));
        }
        String name = p.length > 1 ? p[1] : "";
        String action = p.length > 2 ? p[2] : "";
        try {
            return switch (method + " " + (p.length == 1 ? "" : name.equals("join") && p.length == 2 ? "join" : "node " + action)) {
                case "GET " -> installation.list();
                case "POST join" -> installation.admit(HttpCalls.jsonBody(ex, JoinRequest.class));
                case "POST node drain" -> installation.drain(name, true);
                case "POST node undrain" -> installation.drain(name, false);
                case "DELETE node " -> {
                    installation.remove(name);
                    yield null;
                }
                default -> throw new IllegalArgumentException("unsupported " + method + " /v1/" + String.join("/", p));
            };
        } catch (java.util.NoSuchElementException e) {
            throw new NoSuchElementException404(e.getMessage());
        }
    }

    /** A boolean query parameter: absent is false; anything but true or false is refused. */
    static boolean flag(Map<String, String> q, String name) {
        String v = q.getOrDefault(name, "false");
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("query parameter '" + name + "' must be true or false");
        };
    }

    /** How many events: 1 to 500 (what the store keeps). */
    /** A pool size: server connections per database and user, from 1 to 1000. */
    static int poolSize(String raw) {
        return (int) number(raw, "pool_size", 1, 1000);
    }

    static int limit(String raw) {
        return (int) number(raw, "limit", 1, 500);
    }

    /** How long a ZooKeeper restart keeps the server down, in ms: at most a minute. */
    static long downMillis(String raw) {
        return number(raw, "down_ms", 0, 60_000);
    }

    /** A whole number in [min, max]; anything else is refused with the parameter's name and range. */
    private static long number(String raw, String name, long min, long max) {
        try {
            long n = Long.parseLong(raw);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // same answer as out of range
        }
        throw new IllegalArgumentException(name + " must be a number from " + min + " to " + max);
    }

    @Override
    public void close() {
        // Let exchanges in flight finish (up to a second): the answer to POST /v1/shutdown itself is
        // one of them, and the CLI must not see the daemon hang up on it.
        server.stop(1);
        if (remote != null) {
            remote.stop(1);
        }
    }
}
