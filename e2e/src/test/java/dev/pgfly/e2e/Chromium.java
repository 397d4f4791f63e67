package dev.pgfly.e2e;

import dev.pgfly.core.util.Json;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium, driven over the Chrome DevTools Protocol (a WebSocket, JSON messages): no
 * WebDriver, no browser library. It trusts exactly one server key ({@code --ignore-certificate-errors-spki-list},
 * the SHA-256 of the key the tested server presents), not every certificate.
 *
 * <p>Who runs it: when the test runs as root (as the e2e tests do: PostgreSQL runs as {@code postgres}),
 * Chromium runs as {@code nobody}, an account that owns no file, through {@code setpriv}. It runs with
 * {@code --no-sandbox}: its own sandbox cannot start in this container (its zygote dies for want of user
 * namespaces, tried as {@code postgres} without the flag), and Chromium refuses root without the flag anyway.
 * The page it opens is the dashboard on 127.0.0.1, nothing from outside.
 */
final class Chromium implements AutoCloseable {
    static final String BINARY = "/usr/bin/chromium";
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^\\s]+)");

    private final Process process;
    private final Path profile;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String httpBase;
    private final List<Page> pages = new ArrayList<>();

    private Chromium(Process process, Path profile, String devtools) {
        this.process = process;
        this.profile = profile;
        URI ws = URI.create(devtools);
        this.httpBase = "http://" + ws.getHost() + ":" + ws.getPort();
    }

    /** Starts Chromium trusting the server key {@code spkiSha256} (base64); its output goes to {@code log}. */
    static Chromium start(String spkiSha256, Path log) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path profile = Files.createTempDirectory(Path.of("/tmp"), "pgfly-chromium-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        List<String> cmd = new ArrayList<>();
        if (root) {
            new ProcessBuilder("chown", "nobody:nogroup", profile.toString()).inheritIO().start().waitFor();
            cmd.addAll(List.of("setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", "--"));
        }
        cmd.addAll(List.of(BINARY, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--window-size=1280,1400",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--ignore-certificate-errors-spki-list=" + spkiSha256, "about:blank"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("HOME", profile.toString());
        pb.environment().put("TMPDIR", profile.toString()); // its scratch files go with the profile
        Process p = pb.start();
        Files.createDirectories(log.getParent());
        CompletableFuture<String> devtools = new CompletableFuture<>();
        // Read stderr to the end (into the log), or Chromium blocks on a full pipe; the first line that
        // says where DevTools listens completes the start.
        Thread.ofPlatform().daemon().name("chromium-stderr").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.println(line);
                    out.flush();
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        devtools.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                devtools.completeExceptionally(e);
            }
            devtools.completeExceptionally(new IllegalStateException("Chromium ended without DevTools: see " + log));
        });
        try {
            return new Chromium(p, profile, devtools.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            kill(p);
            deleteTree(profile);
            throw e;
        }
    }

    long pid() {
        return process.pid();
    }

    /** A new tab, driven over its own WebSocket. */
    Page newPage() throws Exception {
        // PUT: Chromium refuses a GET here (a page could otherwise open tabs by loading the address)
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpBase + "/json/new?"
                + URLEncoder.encode("about:blank", StandardCharsets.UTF_8))).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Chromium would not open a tab: " + r.statusCode() + " " + r.body());
        }
        Page page = new Page(http, Json.MAPPER.readTree(r.body()).get("webSocketDebuggerUrl").asString());
        pages.add(page);
        return page;
    }

    /** Ends Chromium and every process it started, by pid, then removes its profile. */
    @Override
    public void close() {
        pages.forEach(Page::close);
        kill(process);
        deleteTree(profile);
    }

    private static void kill(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }

    /** One tab: CDP commands by id, answers matched to them; events are not needed here and are dropped. */
    static final class Page implements WebSocket.Listener {
        private final WebSocket socket;
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();

        Page(HttpClient http, String url) throws Exception {
            this.socket = http.newWebSocketBuilder().buildAsync(URI.create(url), this).get(10, TimeUnit.SECONDS);
        }

        JsonNode send(String method, Map<String, Object> params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("id", id);
            message.put("method", method);
            message.put("params", params);
            socket.sendText(Json.text(message), true).get(10, TimeUnit.SECONDS);
            JsonNode reply = answer.get(30, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IllegalStateException(method + ": " + reply.get("error"));
            }
            return reply.get("result");
        }

        void navigate(String url) throws Exception {
            send("Page.navigate", Map.of("url", url));
        }

        /** The value of a JavaScript expression in the page (a promise is awaited). */
        JsonNode evaluate(String expression) throws Exception {
            JsonNode result = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                    "awaitPromise", true));
            if (result.has("exceptionDetails")) {
                throw new IllegalStateException("the page threw: " + result.get("exceptionDetails"));
            }
            return result.get("result").get("value");
        }

        /** A PNG of the whole page. */
        void screenshot(Path file) throws Exception {
            JsonNode shot = send("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode(shot.get("data").asString()));
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode message = Json.MAPPER.readTree(partial.toString());
                partial.setLength(0);
                if (message.has("id")) {
                    CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
                    if (f != null) {
                        f.complete(message);
                    }
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }

        void close() {
            socket.abort();
        }
    }

    /** The base64 SHA-256 of a certificate's public key, as {@code --ignore-certificate-errors-spki-list} wants it. */
    static String spkiSha256(java.security.cert.Certificate certificate) throws Exception {
        return Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                .digest(certificate.getPublicKey().getEncoded()));
    }

    static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
