package dev.pgfly.agent;

import dev.pgfly.agent.ha.HaLoop;
import dev.pgfly.agent.local.LocalPostgres;
import dev.pgfly.postgres.ShutdownMode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pgfly.core.http.HttpCalls;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.util.Json;
import dev.pgfly.postgres.PgProbe;
import dev.pgfly.postgres.PgSql;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * The agent's HTTP API. Read-only endpoints, open like Patroni's so that load balancers and peers
 * can use them: {@code /health}, {@code /status} (a fresh probe), {@code /primary} and
 * {@code /replica} (200 or 503), {@code /metrics} (Prometheus text format) and {@code /checks} (health
 * checks as JSON: 200 when none is critical, 503 otherwise); each answers HEAD and OPTIONS with the
 * status GET would have and no body, as Patroni's do (see {@link ApiRoutes}). The one state-changing call,
 * {@code POST /restart}, needs the cluster token. Every refusal is a one-line JSON error. The JDK's
 * server is enough for a handful of small requests.
 */
final class MemberApi implements AutoCloseable {
    private final HttpServer server;
    private final HaLoop loop;
    private final PgSql probeSql;
    private final LocalPostgres local;
    private final MemberObserver observer;
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();

    /** The body of {@code GET /checks}. */
    record ChecksReport(String member, String status, List<Check> checks) {
    }

    MemberApi(String host, int port, HaLoop loop, LocalPostgres local, PgSql probeSql, MemberObserver observer,
              PrometheusRegistry registry) throws IOException {
        this.observer = observer;
        this.registry = registry;
        this.loop = loop;
        this.local = local;
        this.probeSql = probeSql;
        dev.pgfly.core.http.HttpCalls.configureJdkServer();
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        ApiRoutes routes = new ApiRoutes(server);
        routes.readOnly("/status", () -> ApiRoutes.Answer.json(200, freshStatus()));
        routes.readOnly("/health", () -> {
            MemberStatus s = freshStatus();
            return ApiRoutes.Answer.json(s.postgresPid() > 0 && s.role() != Role.UNKNOWN ? 200 : 503,
                    Map.of("state", s.state().label(), "role", s.role().label()));
        });
        routes.readOnly("/primary", () -> {
            MemberStatus s = freshStatus();
            return ApiRoutes.Answer.json(s.role() == Role.PRIMARY && s.state().isRunning() ? 200 : 503,
                    Map.of("role", s.role().label(), "state", s.state().label()));
        });
        routes.readOnly("/replica", () -> {
            MemberStatus s = freshStatus();
            return ApiRoutes.Answer.json(s.role() == Role.REPLICA && s.streaming() ? 200 : 503,
                    Map.of("role", s.role().label(), "state", s.state().label()));
        });
        routes.readOnly("/metrics", () -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
            textFormat.write(body, registry.scrape());
            return new ApiRoutes.Answer(200, PrometheusTextFormatWriter.CONTENT_TYPE, body.toByteArray());
        });
        routes.readOnly("/checks", () -> {
            MemberObserver.Observation o = observer.observe();
            CheckStatus worst = o.worst();
            return ApiRoutes.Answer.json(worst == CheckStatus.CRITICAL ? 503 : 200,
                    new ChecksReport(o.member(), worst.label(), o.checks()));
        });
        routes.endpoint("/restart", this::restart);
        routes.notFoundElsewhere();
        server.start();
    }

    /**
     * POST /restart (cluster token required): stops PostgreSQL with a clean shutdown on the HA loop's
     * thread; the next cycle starts it again with the current configuration, as the same role. A
     * primary is restarted only with {@code ?primary=true} (a one-member cluster, or a setting that
     * must change on the primary first): otherwise it must be switched over first.
     */
    private void restart(HttpExchange ex) throws IOException {
        // The token before anything else: an unauthenticated caller learns nothing, not even the method.
        if (!HttpCalls.bearerMatches(ex, local.secrets().token())) {
            throw new HttpCalls.Refused(401, "missing or wrong cluster token");
        }
        HttpCalls.requireMethod(ex, "POST");
        HttpCalls.body(ex);
        Map<String, String> query = HttpCalls.queryParameters(ex);
        String primaryParameter = query.getOrDefault("primary", "false");
        if (!query.keySet().stream().allMatch("primary"::equals) || !(primaryParameter.equals("true") || primaryParameter.equals("false"))) {
            throw new HttpCalls.Refused(400, "unknown query '" + HttpCalls.oneLine(ex.getRequestURI().getRawQuery())
                    + "': only primary=true|false");
        }
        boolean primaryAllowed = primaryParameter.equals("true");
        try {
            long before = loop.runBetweenCycles(() -> {
                boolean primary = local.probe().map(p -> !p.inRecovery()).orElse(!local.instance().data().isStandbyConfigured());
                if (primary && !primaryAllowed) {
                    throw new IllegalStateException("this member is the primary: switch over before restarting it");
                }
                long pid = local.instance().postmasterPid().orElse(0L);
                local.instance().stop(ShutdownMode.FAST, RESTART_STOP_TIMEOUT);
                local.sql().reset();
                return pid;
            }, RESTART_STOP_TIMEOUT.plusSeconds(30));
            respond(ex, 200, Json.bytes(Map.of("restarting", true, "postgres_pid", before)));
        } catch (IllegalStateException e) {
            respond(ex, 409, Json.bytes(Map.of("error", HttpCalls.oneLine(e.getMessage()))));
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(MemberApi.class).warn("restart failed", e);
            respond(ex, 500, Json.bytes(Map.of("error", HttpCalls.oneLine("restart failed: " + e.getMessage()))));
        }
    }

    private static final java.time.Duration RESTART_STOP_TIMEOUT = java.time.Duration.ofSeconds(120);

    private MemberStatus freshStatus() {
        Optional<PgProbe> probe = Optional.empty();
        if (local.instance().isRunning()) {
            try {
                probe = Optional.of(probeSql.probe());
            } catch (SQLException e) {
                probe = Optional.empty();
            }
        }
        return loop.status(probe);
    }

    private static void respond(HttpExchange ex, int code, byte[] body) throws IOException {
        respond(ex, code, "application/json", body);
    }

    private static void respond(HttpExchange ex, int code, String contentType, byte[] body) throws IOException {
        HttpCalls.respond(ex, code, contentType, body);
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        probeSql.close();
        observer.close();
    }
}
