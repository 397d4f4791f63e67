package dev.pgfly.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.pgfly.core.http.HttpCalls;
import dev.pgfly.core.util.Json;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * How the agent's API maps paths and methods to answers, apart from what the answers say: exact paths
 * only (the JDK's server matches contexts by prefix), every refusal a one-line JSON error, and the
 * open read-only endpoints answering GET, HEAD and OPTIONS alike.
 */
final class ApiRoutes {
    private final HttpServer server;

    ApiRoutes(HttpServer server) {
        this.server = server;
    }

    /** What a read-only endpoint says: a status and a body, whichever method asked. */
    record Answer(int status, String contentType, byte[] body) {
        static Answer json(int status, Object body) {
            return new Answer(status, "application/json", Json.bytes(body));
        }
    }

    /** Computes an endpoint's answer: once per request, for every method (the status needs it). */
    @FunctionalInterface
    interface Answering {
        Answer answer() throws IOException;
    }

    /**
     * The methods an open endpoint answers. GET gets the body; HEAD and OPTIONS the same status with no
     * body, as Patroni answers them: load balancers check with them (Patroni's stock HAProxy
     * configuration says {@code option httpchk OPTIONS /primary}) and read only the status line.
     */
    enum ReadMethod {
        GET(true), HEAD(false), OPTIONS(false);

        private final boolean withBody;

        ReadMethod(boolean withBody) {
            this.withBody = withBody;
        }

        boolean withBody() {
            return withBody;
        }

        static Optional<ReadMethod> of(String method) {
            return Arrays.stream(values()).filter(m -> m.name().equals(method)).findFirst();
        }

        static final String ALLOWED = "GET, HEAD, OPTIONS";
    }

    /** An open endpoint: GET, HEAD or OPTIONS; any other method is refused with 405. */
    void readOnly(String path, Answering answering) {
        endpoint(path, ex -> {
            ReadMethod method = ReadMethod.of(ex.getRequestMethod()).orElseThrow(() ->
                    new HttpCalls.Refused(405, "use GET, HEAD or OPTIONS for " + path));
            Answer a = answering.answer();
            if (method == ReadMethod.OPTIONS) {
                ex.getResponseHeaders().set("Allow", ReadMethod.ALLOWED);
            }
            HttpCalls.respond(ex, a.status(), a.contentType(), method.withBody() ? a.body() : new byte[0]);
        });
    }

    /** Answers on exactly {@code path}; refusals and failures become one-line JSON errors. */
    void endpoint(String path, HttpHandler handler) {
        server.createContext(path, HttpCalls.guarded(ex -> {
            if (!ex.getRequestURI().getPath().equals(path)) {
                throw notFound(ex);
            }
            handler.handle(ex);
        }));
    }

    /** Everything no endpoint claims, including /status/x: 404. */
    void notFoundElsewhere() {
        server.createContext("/", HttpCalls.guarded(ex -> {
            throw notFound(ex);
        }));
    }

    private static HttpCalls.Refused notFound(HttpExchange ex) {
        return new HttpCalls.Refused(404, "no such endpoint: " + ex.getRequestURI().getPath());
    }
}
