package dev.pgfly.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.pgfly.core.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * What every pgfly HTTP API (agent, daemon) does the same way at its edge: bearer tokens compared in
 * constant time, request bodies read up to a limit, JSON bodies parsed strictly, and every failure
 * answered as {@code {"error": "..."}} on one line. A handler that throws never shows the caller a
 * stack trace (nor, as the JDK's server would, a reset connection): it is logged and answered 500.
 */
public final class HttpCalls {
    private static final Logger log = LoggerFactory.getLogger(HttpCalls.class);

    /** How long a client may take to send a whole request, head and body ({@link #configureJdkServer}). */
    public static final int MAX_REQUEST_SECONDS = 10;

    /**
     * Call before the JVM's first {@code HttpServer.create}: the JDK's server reads its settings once. When a
     * handler answers without reading the whole request body (a 401 before the token check reads it, a 413 for a
     * body declared too large), the JDK server drains the rest before it ends the exchange; a client that
     * declares a body and never sends it held the connection and a thread
     * for as long as it liked (seen: 120 s, until the client gave up), which any local user could repeat until
     * the daemon ran out of file descriptors. The server's own limit on the time to receive a request (off by
     * default) closes such a connection; a request whose body has been read is no longer timed, so a long
     * operation (a create, a rolling restart) is not cut short.
     */
    public static void configureJdkServer() {
        System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    }

    /** Bodies are small JSON documents; anything bigger is a mistake or an attack. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int MAX_MESSAGE_CHARS = 300;

    private HttpCalls() {
    }

    /** A request the API refuses, with the status code to answer. */
    public static final class Refused extends RuntimeException {
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * Whether the request carries {@code Authorization: Bearer TOKEN}. Both sides are hashed first, so
     * the comparison takes the same time whatever the length or content of the guess.
     */
    public static boolean bearerMatches(HttpExchange ex, String token) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ") || token == null || token.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(sha256(token), sha256(header.substring("Bearer ".length())));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request body, refused with 413 past {@link #MAX_BODY_BYTES} (read no further than that). */
    public static byte[] body(HttpExchange ex) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > MAX_BODY_BYTES) {
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw new Refused(400, "invalid Content-Length");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_BODY_BYTES) {
                    throw tooLarge();
                }
            }
            return out.toByteArray();
        }
    }

    private static Refused tooLarge() {
        return new Refused(413, "request body larger than " + MAX_BODY_BYTES / 1024 + " KiB");
    }

    /**
     * The body as a {@code type}, strictly: unknown fields, nulls for numbers and trailing garbage are
     * refused (400) instead of silently dropped or defaulted, so a typo never passes for a default.
     */
    public static <T> T jsonBody(HttpExchange ex, Class<T> type) throws IOException {
        byte[] body = body(ex);
        if (body.length == 0) {
            throw new Refused(400, "a JSON body is required");
        }
        try {
            T value = strictReader(type).readValue(body);
            if (value == null) {
                throw new Refused(400, "a JSON object is required, not null");
            }
            return value;
        } catch (JacksonException e) {
            throw new Refused(400, describe(e));
        }
    }

    /**
     * What was wrong with a body, in the caller's terms (a field name, a line and column), without
     * the parser's class names and source excerpts.
     */
    static String describe(JacksonException e) {
        StringBuilder field = new StringBuilder();
        for (JacksonException.Reference r : e.getPath()) {
            if (r.getPropertyName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                field.append('[').append(r.getIndex()).append(']');
            }
        }
        if (e instanceof tools.jackson.databind.exc.UnrecognizedPropertyException u) {
            return "invalid JSON body: unknown field '" + oneLine(u.getPropertyName()) + "'";
        }
        if (e instanceof tools.jackson.core.exc.StreamReadException && e.getLocation() != null) {
            return "malformed JSON body at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
        }
        return field.isEmpty() ? "invalid JSON body: not the expected object"
                : "invalid JSON body: wrong type or value for field '" + oneLine(field.toString()) + "'";
    }

    static ObjectReader strictReader(Class<?> type) {
        return Json.MAPPER.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** A message fit for one line of an answer or of a terminal: no control characters, bounded length. */
    public static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        message.codePoints().forEach(c -> {
            if (c == '\n' || c == '\r' || c == '\t') {
                sb.append(' ');
            } else if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        String s = sb.toString().strip();
        return s.length() > MAX_MESSAGE_CHARS ? s.substring(0, MAX_MESSAGE_CHARS) + "..." : s;
    }

    /** Answers {@code body} as JSON and closes the exchange. */
    public static void respond(HttpExchange ex, int code, Object body) throws IOException {
        respond(ex, code, "application/json", Json.bytes(body));
    }

    public static void respond(HttpExchange ex, int code, String contentType, byte[] body) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    public static void error(HttpExchange ex, int code, String message) throws IOException {
        respond(ex, code, Map.of("error", oneLine(message)));
    }

    /**
     * Wraps a handler so that a {@link Refused} is answered with its status, and anything else that
     * escapes is logged with its stack trace and answered 500 with one line.
     */
    public static HttpHandler guarded(HttpHandler handler) {
        return ex -> {
            try {
                handler.handle(ex);
            } catch (Refused e) {
                error(ex, e.status(), e.getMessage());
            } catch (Exception e) {
                log.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
                try {
                    error(ex, 500, "internal error: " + e.getClass().getSimpleName());
                } catch (IOException | RuntimeException ignored) {
                    // the answer may already have started: nothing more to tell the caller
                }
            }
        };
    }

    /** The request's query parameters: see {@link #queryParameters(String)}. */
    public static Map<String, String> queryParameters(HttpExchange ex) {
        return queryParameters(ex.getRequestURI().getRawQuery());
    }

    /**
     * Query parameters decoded one way for every API: a name given twice, a name that is empty or a
     * malformed percent-encoding is refused (400) rather than resolved, since two parsers that resolve
     * them differently (first wins, last wins) let a request mean one thing to a check and another to
     * its action. A name without {@code =} has the empty value; empty pairs ({@code a=1&&b=2}) are skipped.
     */
    public static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> parameters = new java.util.LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (name.isEmpty()) {
                throw new Refused(400, "a query parameter without a name");
            }
            if (parameters.putIfAbsent(name, value) != null) {
                throw new Refused(400, "query parameter '" + oneLine(name) + "' given more than once");
            }
        }
        return parameters;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "malformed query string: " + e.getMessage());
        }
    }

    /** Refuses (405) every method but the ones listed. */
    public static void requireMethod(HttpExchange ex, String... allowed) {
        for (String m : allowed) {
            if (m.equals(ex.getRequestMethod())) {
                return;
            }
        }
        throw new Refused(405, "use " + String.join(" or ", allowed) + " for " + ex.getRequestURI().getPath());
    }
}
