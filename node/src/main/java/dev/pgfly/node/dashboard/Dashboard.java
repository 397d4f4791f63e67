package dev.pgfly.node.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.pgfly.core.http.HttpCalls;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.util.Names;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.home.PgflyHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The node's read-only web dashboard, served under {@value #PATH} on the node's API listeners (the
 * local API on 127.0.0.1 with its per-start certificate, and in an installation the node's API address
 * with the installation's certificate): no port, certificate or CA of its own.
 *
 * <pre>
 * GET /dashboard/                  the page (and dashboard.js, dashboard.css): static, no data in them
 * GET /dashboard/login?token=T     a link from `pgfly dashboard --url`: a session cookie, then back to the page
 * GET /dashboard/api/overview      clusters (the views GET /v1/clusters answers), events, backups, charts:
 *                                  the session cookie, or the node token as a bearer
 * </pre>
 *
 * Nothing here changes anything: every other method is refused (405). The page polls the overview once a
 * second, so a failover shows within about a second of the store knowing it.
 */
public final class Dashboard implements HttpHandler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    public static final String PATH = "/dashboard";
    static final String COOKIE = "pgfly_dashboard";
    /** How often the node takes a sample for the charts, and how many it keeps: one hour. */
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    static final int SAMPLES_KEPT = 360;
    static final int EVENTS_SHOWN = 25;
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html",
            "/dashboard.js", "dashboard.js", "/dashboard.css", "dashboard.css");
    /**
     * Scripts, styles and data from this origin only (no inline script, so an injected string can run
     * nothing even if it reached the page as markup); never framed; no forms; no referrer.
     */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final String nodeName;
    private final List<String> bearerTokens;
    private final DashboardFeed feed;
    private final LoginTokens logins;
    private final Sessions sessions = new Sessions();
    private final SampleRing samples = new SampleRing(SAMPLES_KEPT);
    private final ChecksWatch checks = new ChecksWatch();
    private final BackupWatch backups;
    private final ScheduledExecutorService background = Executors.newScheduledThreadPool(2,
            r -> Thread.ofPlatform().daemon().name("dashboard").unstarted(r));
    /**
     * When a page last asked for the overview. The agents' checks (a request to every agent) and the backups
     * (a listing of the store, S3 perhaps, and a connection to the primary) are read only while a page is
     * open: nobody pays for them on a node whose dashboard nobody looks at. The chart samples are the
     * node's own views, cheap, and taken always: a page opened later still has its hour.
     */
    private volatile long lastViewedAt = Long.MIN_VALUE / 2;
    static final Duration VIEWER_GONE_AFTER = Duration.ofMinutes(1);

    /**
     * @param nodeTokens the node's token and, for a node of an installation, the installation's secret: either
     *                   signs login links ({@link LoginTokens}) and either opens the data as a bearer
     * @param home       where backup settings are read; null: no backups shown (tests)
     */
    Dashboard(PgflyHome home, String nodeName, List<String> nodeTokens, DashboardFeed feed) {
        this.nodeName = nodeName;
        this.bearerTokens = List.copyOf(nodeTokens);
        this.feed = feed;
        this.logins = new LoginTokens(nodeTokens);
        this.backups = home == null ? null : new BackupWatch(home);
    }

    /** A dashboard with its background samplers running; mount it with {@code server.createContext(PATH, it)}. */
    public static Dashboard start(PgflyHome home, String nodeName, List<String> nodeTokens, DashboardFeed feed) {
        Dashboard d = new Dashboard(home, nodeName, nodeTokens, feed);
        d.background.scheduleWithFixedDelay(d::sample, 0, SAMPLE_EVERY.toSeconds(), TimeUnit.SECONDS);
        d.background.scheduleWithFixedDelay(d::refreshChecks, 0, 2, TimeUnit.SECONDS);
        if (d.backups != null) {
            d.background.scheduleWithFixedDelay(d::refreshBackups, 1, 30, TimeUnit.SECONDS);
        }
        return d;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        // Not HttpCalls.guarded: it logs the request's URI, and a login's URI holds a token.
        try {
            serve(ex);
        } catch (HttpCalls.Refused e) {
            HttpCalls.error(ex, e.status(), e.getMessage());
        } catch (Exception e) {
            log.warn("dashboard {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.toString());
            try {
                HttpCalls.error(ex, 500, "internal error: " + e.getClass().getSimpleName());
            } catch (IOException | RuntimeException ignored) {
                // the answer may already have started
            }
        }
    }

    /** The most of a (refused) request body read to keep its connection usable; a larger one closes it. */
    private static final int DRAIN_LIMIT = 64 * 1024;

    private void serve(HttpExchange ex) throws IOException {
        // Read what a refused POST or PUT sent before answering: the JDK server reuses the connection for the
        // client's next request, and body bytes left unread there made that request go unanswered (DashboardTest
        // saw a 40 s hang, then a closed connection, under load).
        try (java.io.InputStream body = ex.getRequestBody()) {
            if (body.readNBytes(DRAIN_LIMIT).length == DRAIN_LIMIT) {
                ex.getResponseHeaders().set("Connection", "close");
            }
        }
        securityHeaders(ex);
        HttpCalls.requireMethod(ex, "GET");
        String full = ex.getRequestURI().getPath();
        if (full.equals(PATH)) {
            // the page's relative addresses need the slash
            ex.getResponseHeaders().set("Location", PATH + "/");
            HttpCalls.respond(ex, 308, "text/plain", new byte[0]);
            return;
        }
        if (!full.startsWith(PATH + "/")) {
            HttpCalls.error(ex, 404, "no such page");
            return;
        }
        String path = full.substring(PATH.length());
        if (STATIC.containsKey(path)) {
            serveResource(ex, STATIC.get(path));
        } else if (path.equals("/login")) {
            login(ex);
        } else if (path.equals("/api/overview")) {
            if (!authorized(ex)) {
                HttpCalls.error(ex, 401, "not logged in: open the link that `pgfly dashboard --url` prints");
                return;
            }
            long now = System.currentTimeMillis();
            viewedAt(now);
            HttpCalls.respond(ex, 200, overview(now));
        } else {
            HttpCalls.error(ex, 404, "no such page");
        }
    }

    /**
     * What every answer carries: the policy above, no sniffing, no referrer, no framing. No
     * Access-Control-* header ever: another origin's script can read nothing here.
     */
    static void securityHeaders(HttpExchange ex) {
        var h = ex.getResponseHeaders();
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
    }

    private void login(HttpExchange ex) throws IOException {
        LoginTokens.Verdict verdict = logins.redeem(HttpCalls.queryParameters(ex).get("token"), Instant.now());
        if (verdict != LoginTokens.Verdict.ACCEPTED) {
            log.info("dashboard login refused: {}", verdict);
            HttpCalls.respond(ex, 401, "text/plain; charset=utf-8", ("This login link is " + switch (verdict) {
                case EXPIRED -> "expired";
                case ALREADY_USED -> "already used";
                default -> "not valid";
            } + ". Run `pgfly dashboard --url` for a new one.\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        log.info("dashboard: a login link was used");
        String session = sessions.open(Instant.now());
        // HttpOnly: no script reads it; Secure: never sent over plain HTTP; Strict: no other site's page sends it.
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + session + "; Path=" + PATH + "; HttpOnly; Secure;"
                + " SameSite=Strict; Max-Age=" + Sessions.LIFETIME.toSeconds());
        String cluster = HttpCalls.queryParameters(ex).get("cluster");
        // Only a name the rules allow goes back into the redirect: nothing else can ride along in it.
        ex.getResponseHeaders().set("Location", PATH + "/" + (validClusterName(cluster) ? "?cluster=" + cluster : ""));
        HttpCalls.respond(ex, 303, "text/plain", new byte[0]);
    }

    private static boolean validClusterName(String name) {
        try {
            Names.requireClusterName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean authorized(HttpExchange ex) {
        for (String token : bearerTokens) {
            if (HttpCalls.bearerMatches(ex, token)) {
                return true;
            }
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

    /**
     * The page's whole state in one answer (one request a second per open page): per cluster its view as
     * {@code GET /v1/clusters} answers it with each member's worst check filled in (as {@code pgfly status}
     * does), the failing checks, the newest events, the backups and the chart points of the last hour.
     */
    Map<String, Object> overview(long now) {
        List<Map<String, Object>> shown = new ArrayList<>();
        for (ClusterView c : feed.clusters()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("cluster", checks.withChecks(c));
            entry.put("failing_checks", checks.failing(c));
            entry.put("events", events(c.name()));
            entry.put("backups", backups == null ? null : backups.of(c.name()).orElse(null));
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

    /** Takes one sample of every cluster now (the background does so every {@link #SAMPLE_EVERY}). */
    void sample() {
        try {
            long now = System.currentTimeMillis();
            List<ClusterView> clusters = feed.clusters();
            samples.retainOnly(clusters.stream().map(ClusterView::name).collect(Collectors.toSet()));
            clusters.forEach(c -> samples.add(c.name(), Sample.of(now, c.members())));
        } catch (RuntimeException e) {
            log.debug("dashboard sample skipped: {}", e.toString());
        }
    }

    /** A page asked for the overview at {@code now}. */
    void viewedAt(long now) {
        boolean firstLook = !viewedRecently(now);
        lastViewedAt = now;
        if (firstLook) {
            // the first look in a while: the checks and backups now, not at their next turn
            background.execute(this::refreshChecks);
            if (backups != null) {
                background.execute(this::refreshBackups);
            }
        }
    }

    private boolean viewedRecently(long now) {
        return now - lastViewedAt < VIEWER_GONE_AFTER.toMillis();
    }

    private void refreshChecks() {
        if (!viewedRecently(System.currentTimeMillis())) {
            return;
        }
        try {
            checks.refresh(feed.clusters());
        } catch (RuntimeException e) {
            log.debug("dashboard checks skipped: {}", e.toString());
        }
    }

    private void refreshBackups() {
        if (!viewedRecently(System.currentTimeMillis())) {
            return;
        }
        try {
            backups.refresh(feed.clusters());
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

    @Override
    public void close() {
        background.shutdownNow();
    }
}
