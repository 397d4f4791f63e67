package dev.pgfly.cli.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pgfly.cli.api.ApiError;
import dev.pgfly.cli.api.CreateRequest;
import dev.pgfly.core.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The daemon's local HTTP API, on 127.0.0.1 only. Every call needs the token from the daemon's
 * token file (mode 0600), so only its owner can drive it.
 *
 * <pre>
 * GET    /v1/ping
 * GET    /v1/clusters                         POST /v1/clusters (create)
 * GET    /v1/clusters/NAME                    DELETE /v1/clusters/NAME
 * POST   /v1/clusters/NAME/start|stop         POST /v1/clusters/NAME/switchover?to=M
 * POST   /v1/clusters/NAME/members?region=R   DELETE /v1/clusters/NAME/members/M
 * GET    /v1/clusters/NAME/events?limit=N     GET /v1/clusters/NAME/url?replica=&database=&region=
 * GET    /v1/clusters/NAME/logs?member=M      (paths of the members' log files)
 * GET    /v1/clusters/NAME/settings           POST /v1/clusters/NAME/settings (SettingsUpdate)
 * POST   /v1/clusters/NAME/restart?force=&member=     POST /v1/clusters/NAME/upgrade?pg_bin=DIR
 * POST   /v1/shutdown
 * </pre>
 */
final class DaemonApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DaemonApi.class);

    private final HttpServer server;
    private final ClusterManager clusters;
    private final byte[] token;
    private final Runnable shutdown;

    DaemonApi(ClusterManager clusters, String token, Runnable shutdown) throws IOException {
        this.clusters = clusters;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.shutdown = shutdown;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex)) {
                respond(ex, 401, new ApiError("missing or wrong daemon token"));
                return;
            }
            try {
                Object body = route(ex.getRequestMethod(), ex.getRequestURI().getPath(), query(ex), ex);
                respond(ex, 200, body == null ? Map.of("ok", true) : body);
            } catch (ClusterManager.NoSuchElementException404 e) {
                respond(ex, 404, new ApiError(e.getMessage()));
            } catch (IllegalArgumentException e) {
                respond(ex, 400, new ApiError(e.getMessage()));
            } catch (IllegalStateException e) {
                respond(ex, 409, new ApiError(e.getMessage()));
            } catch (Exception e) {
                log.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
                respond(ex, 500, new ApiError(e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
    }

    private Object route(String method, String path, Map<String, String> q, HttpExchange ex) throws Exception {
        String[] p = path.substring("/v1/".length()).split("/");
        String resource = p[0];
        if (resource.equals("ping")) {
            return Map.of("pid", ProcessHandle.current().pid());
        }
        if (resource.equals("shutdown") && method.equals("POST")) {
            Thread.ofPlatform().start(shutdown);
            return null;
        }
        if (!resource.equals("clusters")) {
            throw new ClusterManager.NoSuchElementException404("no such API: " + path);
        }
        if (p.length == 1) {
            return switch (method) {
                case "GET" -> clusters.list();
                case "POST" -> clusters.create(Json.read(ex.getRequestBody().readAllBytes(), CreateRequest.class));
                default -> throw new IllegalArgumentException("unsupported " + method + " " + path);
            };
        }
        String name = p[1];
        String action = p.length > 2 ? p[2] : "";
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
            case "POST switchover" -> Map.of("primary", clusters.switchover(name, q.get("to")));
            case "POST members" -> clusters.addMember(name, q.get("region"));
            case "DELETE members" -> {
                if (p.length < 4) {
                    throw new IllegalArgumentException("which member?");
                }
                yield clusters.removeMember(name, p[3]);
            }
            case "GET logs" -> clusters.logFiles(name, q.get("member"));
            case "GET settings" -> clusters.settings(name);
            case "POST settings" -> clusters.updateSettings(name,
                    Json.read(ex.getRequestBody().readAllBytes(), dev.pgfly.cli.api.SettingsUpdate.class));
            case "POST restart" -> clusters.restart(name, Boolean.parseBoolean(q.getOrDefault("force", "false")),
                    q.get("member"));
            case "POST upgrade" -> clusters.upgrade(name, q.get("pg_bin"));
            case "GET events" -> clusters.events(name, Integer.parseInt(q.getOrDefault("limit", "50")));
            case "GET url" -> Map.of("url", clusters.url(name, Boolean.parseBoolean(q.getOrDefault("replica", "false")),
                    q.get("database"), q.get("region")));
            default -> throw new IllegalArgumentException("unsupported " + method + " " + path);
        };
    }

    private boolean authorized(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> q = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static void respond(HttpExchange ex, int code, Object body) throws IOException {
        byte[] bytes = Json.bytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        // Let exchanges in flight finish (up to a second): the answer to POST /v1/shutdown itself is
        // one of them, and the CLI must not see the daemon hang up on it.
        server.stop(1);
    }
}
