package dev.pgfly.node.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.pgfly.core.http.HttpCalls;
import dev.pgfly.core.model.Event;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.home.PgflyHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node's read-only web dashboard, over HTTPS on its own listener (127.0.0.1 for the one-host daemon, the
 * node's address in an installation).
 *
 * <pre>
 * GET /                 the page (and /dashboard.js, /dashboard.css): static, no data in them
 * GET /login?token=T    a link from `pgfly dashboard --url`: a session cookie, then back to /
 * GET /api/overview     clusters, members, proxies, events, backups and charts: the session cookie or the node token
 * </pre>
 *
 * Nothing here changes anything: every other method is refused (405). The page polls the overview once a
 * second, so a failover shows within about a second of the store knowing it.
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    static final String COOKIE = "pgfly_dashboard";
    /** How often the node takes a sample for the charts, and how many it keeps: one hour. */
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    static final int SAMPLES_KEPT = 360;
    private static final int EVENTS_SHOWN = 25;
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html",
            "/dashboard.js", "dashboard.js", "/dashboard.css", "dashboard.css");

    private final PgflyHome home;
    private final String nodeName;
    private final String nodeToken;
    private final DashboardFeed feed;
    private final LoginTokens logins;
    private final Sessions sessions = new Sessions();
    private final SampleRing samples = new SampleRing(SAMPLES_KEPT);
    private final ChecksWatch checks = new ChecksWatch();
    private final BackupWatch backups;
    private final ScheduledExecutorService background = Executors.newScheduledThreadPool(2,
            r -> Thread.ofPlatform().daemon().name("dashboard").unstarted(r));
    private HttpsServer server;

    private Dashboard(PgflyHome home, String nodeName, String nodeToken, DashboardFeed feed) {
        this.home = home;
        this.nodeName = nodeName;
        this.nodeToken = nodeToken;
        this.feed = feed;
        this.logins = new LoginTokens(nodeToken);
        this.backups = new BackupWatch(home);
    }

    /**
     * Serves the dashboard on {@code address:port} (the caller chose a free port) and records where in
     * {@link DashboardInfo}.
     */
    public static Dashboard start(PgflyHome home, String nodeName, String address, int port, String nodeToken,
                                  DashboardFeed feed) throws IOException {
        Dashboard d = new Dashboard(home, nodeName, nodeToken, feed);
        DashboardTls tls = DashboardTls.of(home);
        List<String> names = new ArrayList<>(List.of(address));
        if (!address.equals("127.0.0.1")) {
            names.add("127.0.0.1");
        }
        names.add("localhost");
        d.server = HttpsServer.create(new InetSocketAddress(address, port), 64);
        d.server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext(names)));
        d.server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        d.server.createContext("/", HttpCalls.guarded(d::handle));
        d.server.start();
        new DashboardInfo(ProcessHandle.current().pid(), address, d.server.getAddress().getPort(),
                tls.caFile().toString()).write(home);
        d.background.scheduleWithFixedDelay(d::sample, 0, SAMPLE_EVERY.toSeconds(), TimeUnit.SECONDS);
        d.background.scheduleWithFixedDelay(d::refreshChecks, 0, 2, TimeUnit.SECONDS);
        d.background.scheduleWithFixedDelay(d::refreshBackups, 1, 30, TimeUnit.SECONDS);
        log.info("dashboard on https://{}:{}/ (pgfly dashboard --url prints a login link)", address, d.port());
        return d;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        HttpCalls.requireMethod(ex, "GET");
        securityHeaders(ex);
        String path = ex.getRequestURI().getPath();
        if (STATIC.containsKey(path)) {
            serveResource(ex, STATIC.get(path));
        } else if (path.equals("/login")) {
            login(ex);
        } else if (path.equals("/api/overview")) {
            if (!authorized(ex)) {
                HttpCalls.error(ex, 401, "not logged in: open the link that `pgfly dashboard --url` prints");
                return;
            }
            HttpCalls.respond(ex, 200, overview());
        } else {
            HttpCalls.error(ex, 404, "no such page: " + path);
        }
    }

    /** What every answer carries: no framing, no sniffing, no referrer, scripts and styles from this origin only. */
    private static void securityHeaders(HttpExchange ex) {
        var h = ex.getResponseHeaders();
        h.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
                + " img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Strict-Transport-Security", "max-age=31536000");
    }

    private void login(HttpExchange ex) throws IOException {
        String token = query(ex, "token");
        LoginTokens.Verdict verdict = logins.redeem(token, Instant.now());
        if (verdict != LoginTokens.Verdict.ACCEPTED) {
            log.info("dashboard login refused: {}", verdict);
            HttpCalls.respond(ex, 401, "text/plain; charset=utf-8", ("This login link is "
                    + (verdict == LoginTokens.Verdict.EXPIRED ? "expired" : verdict == LoginTokens.Verdict.ALREADY_USED
                    ? "already used" : "not valid") + ". Run `pgfly dashboard --url` for a new one.\n")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        String session = sessions.open(Instant.now());
        // HttpOnly: no script reads it; Secure: never sent over plain HTTP; Strict: no other site's page sends it.
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + session + "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age="
                + Sessions.LIFETIME.toSeconds());
        ex.getResponseHeaders().set("Location", "/");
        HttpCalls.respond(ex, 303, "text/plain", new byte[0]);
    }

    private boolean authorized(HttpExchange ex) {
        if (HttpCalls.bearerMatches(ex, nodeToken)) {
            return true;
        }
        for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String p = part.strip();
                if (p.startsWith(COOKIE + "=") && sessions.valid(p.substring(COOKIE.length() + 1), Instant.now())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The page's whole state in one answer: one request a second per open page. */
    Map<String, Object> overview() {
        long now = System.currentTimeMillis();
        List<Map<String, Object>> shown = new ArrayList<>();
        for (ClusterView c : feed.clusters()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("cluster", checks.withChecks(c));
            entry.put("failing_checks", checks.failing(c));
            entry.put("events", events(c.name()));
            entry.put("backups", backups.of(c.name()).orElse(null));
            entry.put("points", samples.points(c.name(), now - SAMPLE_EVERY.toMillis() * SAMPLES_KEPT));
            shown.add(entry);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", nodeName);
        out.put("now", now);
        out.put("sample_every_seconds", SAMPLE_EVERY.toSeconds());
        out.put("clusters", shown);
        return out;
    }

    private List<Event> events(String cluster) {
        try {
            return feed.events(cluster, EVENTS_SHOWN);
        } catch (Exception e) {
            return List.of();
        }
    }

    private void sample() {
        try {
            long now = System.currentTimeMillis();
            List<ClusterView> clusters = feed.clusters();
            samples.retainOnly(clusters.stream().map(ClusterView::name).collect(java.util.stream.Collectors.toSet()));
            clusters.forEach(c -> samples.add(c.name(), Sample.of(now, c.members())));
        } catch (RuntimeException e) {
            log.debug("dashboard sample skipped: {}", e.toString());
        }
    }

    private void refreshChecks() {
        try {
            checks.refresh(feed.clusters());
        } catch (RuntimeException e) {
            log.debug("dashboard checks skipped: {}", e.toString());
        }
    }

    private void refreshBackups() {
        try {
            backups.refresh(feed.clusters().stream().map(ClusterView::name).toList());
        } catch (RuntimeException e) {
            log.debug("dashboard backups skipped: {}", e.toString());
        }
    }

    private static void serveResource(HttpExchange ex, String name) throws IOException {
        try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
            if (in == null) {
                HttpCalls.error(ex, 404, "missing resource " + name);
                return;
            }
            String type = name.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
            HttpCalls.respond(ex, 200, type, in.readAllBytes());
        }
    }

    private static String query(HttpExchange ex, String name) {
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                if (pair.startsWith(name + "=")) {
                    return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(DashboardInfo.file(home));
        } catch (IOException e) {
            log.warn("could not remove {}: {}", DashboardInfo.file(home), e.toString());
        }
        background.shutdownNow();
        if (server != null) {
            server.stop(0);
        }
    }
}
