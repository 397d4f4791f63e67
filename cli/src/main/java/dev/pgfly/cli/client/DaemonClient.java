package dev.pgfly.cli.client;

import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.InstallationToken;
import dev.pgfly.core.tls.NodeApiTls;
import dev.pgfly.core.util.ClassDataSharing;
import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.UnixFiles;
import dev.pgfly.node.api.DaemonInfo;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.InstallationTls;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.SSLContext;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The CLI's side of the daemon API; starts the daemon in the background when none is running. */
public final class DaemonClient {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final PgflyHome home;
    /**
     * Both APIs speak TLS, and the JDK's server makes its handshakes on one dispatcher thread: on a loaded
     * host (a node admitting another, load average 20) a joining node's 5 s connect timed out. A dead
     * port still fails at once (refused); only an address that drops packets waits this long.
     */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    /** The local daemon's client: trusts only the certificate this daemon made at its start (daemon/api.crt). */
    private HttpClient http;
    private DaemonInfo info;
    private int daemonUid;
    private String token;

    /**
     * The port recorded in daemon.json is served by another user: the token is not sent. A daemon removes
     * daemon.json before it closes its port, so this is someone waiting there for a token.
     */
    public static final class UntrustedDaemonPort extends CliException {
        UntrustedDaemonPort(String message) {
            super(message);
        }
    }

    /** Another host's node ({@code PGFLY_NODE=HOST:PORT} with {@code PGFLY_TOKEN}), or null for this host's. */
    private final String remoteNode;
    /** The client for {@link #remoteNode}: TLS, trusting the installation's CA only. */
    private HttpClient remoteHttp;

    public DaemonClient(PgflyHome home) {
        this.home = home;
        String node = System.getenv("PGFLY_NODE");
        this.remoteNode = node == null || node.isBlank() ? null : node.strip();
    }

    /** The running daemon, or empty; never starts one. */
    public Optional<DaemonInfo> running() {
        if (remoteNode != null) {
            return remote();
        }
        Optional<DaemonInfo> i = DaemonInfo.read(home);
        if (i.isEmpty() || !ProcessHandle.of(i.get().pid()).map(ProcessHandle::isAlive).orElse(false)) {
            return Optional.empty();
        }
        try {
            info = i.get();
            // The daemon's user: the owner of its 0700 directory, where daemon.json and the token are.
            daemonUid = UnixFiles.uid(home.daemonDir());
            token = Files.readString(home.tokenFile()).strip();
            http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).sslContext(NodeApiTls.trusting(
                    ClusterCa.parseCertificate(Files.readString(home.apiCertificateFile())))).build();
            send("GET", "/v1/ping", null, Duration.ofSeconds(15));
            return i;
        } catch (UntrustedDaemonPort e) {
            throw e;
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /**
     * A node of the installation on another host, over TLS: {@code PGFLY_TOKEN} holds the installation's
     * whole token, whose CA fingerprint says which certificate to trust, or its bare secret on a host that
     * is itself a node (its CA file is then the trust). The peer checks of this host's daemon do not apply:
     * the token goes to the address the user named, and only to a node of that CA.
     */
    private Optional<DaemonInfo> remote() {
        if (!remoteNode.matches("[A-Za-z0-9.:\\[\\]-]{1,253}:[0-9]{1,5}")) {
            throw new CliException("PGFLY_NODE must be HOST:PORT (the node's API), not '" + remoteNode + "'");
        }
        String t = System.getenv("PGFLY_TOKEN");
        if (t == null || t.isBlank()) {
            throw new CliException("PGFLY_NODE is set: PGFLY_TOKEN must hold the installation's token (pgfly node token prints it)");
        }
        if (remoteHttp == null) {
            remoteHttp = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).sslContext(remoteTrust(t)).build();
        }
        token = InstallationToken.isWhole(t) ? InstallationToken.parse(t).secret() : t.strip();
        info = new DaemonInfo(0, 0, 0, null);
        send("GET", "/v1/ping", null, Duration.ofSeconds(15));
        return Optional.of(info);
    }

    private SSLContext remoteTrust(String tokenText) {
        try {
            if (InstallationToken.isWhole(tokenText)) {
                return NodeApiTls.pinning(InstallationToken.parse(tokenText).caFingerprint());
            }
            InstallationTls local = InstallationTls.of(home);
            if (local.hasCa()) {
                return NodeApiTls.trusting(ClusterCa.parseCertificate(local.caCertificatePem()));
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        } catch (IOException e) {
            throw new CliException("cannot read this node's installation CA: " + e.getMessage());
        }
        throw new CliException("PGFLY_TOKEN holds no CA fingerprint and this host is not a node: use the whole token"
                + " (pgfly1-...) that `pgfly node token` prints");
    }

    /**
     * For commands that only read (list, status, events...): connects to the daemon, starting it only where there
     * is something for it to run, a cluster or a node's configuration. A home that holds neither (a typo in
     * PGFLY_HOME, a fresh machine) gets no daemon: the caller says that nothing runs there.
     *
     * @return empty when nothing runs at this home and nothing would
     */
    public Optional<DaemonClient> ifAnythingRuns() {
        if (remoteNode == null && Files.exists(home.root()) && !Files.isDirectory(home.root())) {
            throw new CliException("PGFLY_HOME " + home.root() + " is not a directory");
        }
        if (remoteNode != null || running().isPresent() || holdsAnything()) {
            return Optional.of(ensureRunning());
        }
        return Optional.empty();
    }

    /** What {@link #ifAnythingRuns} says when nothing does: one line, naming the home. */
    public CliException nothingRuns() {
        return new CliException("nothing runs at " + home.root() + ": no daemon and no cluster there ('pgfly create NAME'"
                + " makes one; PGFLY_HOME chooses another home)");
    }

    private boolean holdsAnything() {
        if (Files.exists(dev.pgfly.node.install.NodeFiles.config(home))) {
            return true;
        }
        try (var clusters = Files.list(home.clustersDir())) {
            return clusters.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** Connects to the daemon, starting it first if needed. */
    public DaemonClient ensureRunning() {
        if (remoteNode != null) {
            running();
            return this;
        }
        if (running().isPresent()) {
            return this;
        }
        Process daemon = startDaemon();
        long deadline = System.currentTimeMillis() + START_TIMEOUT.toMillis();
        while (System.currentTimeMillis() < deadline) {
            if (running().isPresent()) {
                return this;
            }
            if (!daemon.isAlive() && running().isEmpty()) {
                break;
            }
            sleep(100);
        }
        throw new CliException("the daemon could not start: " + lastLine(home.daemonLog()));
    }

    private Process startDaemon() {
        try {
            Files.createDirectories(home.daemonDir());
            dev.pgfly.core.util.PrivateFiles.privateLog(home.daemonLog());
            String java = ProcessHandle.current().info().command().orElse("java");
            String classpath = ClassDataSharing.classPath();
            List<String> cmd = new ArrayList<>(List.of("setsid", java, "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC"));
            cmd.addAll(dev.pgfly.core.util.JvmFootprint.SHRINKING_HEAP);
            cmd.addAll(ClassDataSharing.jvmOptions(Path.of(classpath), "daemon"));
            cmd.addAll(List.of("-Dpgfly.role=daemon", "-cp", classpath, "dev.pgfly.cli.Main", "daemon", "run"));
            return dev.pgfly.core.util.JvmFootprint.withFewMallocArenas(new ProcessBuilder(cmd))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.daemonLog().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new CliException("the daemon could not start: " + e.getMessage());
        }
    }

    public JsonNode get(String path) {
        return send("GET", path, null, Duration.ofSeconds(30));
    }

    public JsonNode post(String path, Object body, Duration timeout) {
        return send("POST", path, body, timeout);
    }

    public JsonNode delete(String path, Duration timeout) {
        return send("DELETE", path, null, timeout);
    }

    public <T> T convert(JsonNode node, Class<T> type) {
        return Json.MAPPER.treeToValue(node, type);
    }

    public <T> List<T> convertList(JsonNode node, Class<T> type) {
        JavaType listType = Json.MAPPER.getTypeFactory().constructCollectionType(List.class, type);
        return Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(node), listType);
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private JsonNode send(String method, String path, Object body, Duration timeout) {
        if (info == null) {
            throw new CliException("the daemon is not running");
        }
        String base;
        if (remoteNode != null) {
            base = "https://" + remoteNode;
        } else {
            requireDaemonListens();
            base = "https://127.0.0.1:" + info.port();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
        try {
            HttpResponse<byte[]> r = (remoteNode != null ? remoteHttp : http).send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode node = r.body().length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(r.body());
            if (r.statusCode() != 200) {
                String msg = node.has("error") ? node.get("error").asString() : "daemon answered " + r.statusCode();
                throw new CliException(msg);
            }
            return node;
        } catch (IOException e) {
            throw new CliException(remoteNode != null ? "cannot reach the node at " + remoteNode + ": " + e
                    : "cannot reach the daemon: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    /**
     * Checks, before the token leaves, that the daemon's port is served by the daemon's user only (see
     * {@link LoopbackListeners}). What remains is a window of microseconds between this check and the
     * connection, and a daemon that stops removes daemon.json before its port closes.
     */
    private void requireDaemonListens() {
        List<Integer> owners;
        try {
            owners = LoopbackListeners.owners(info.port());
        } catch (IOException e) {
            throw new UntrustedDaemonPort("refusing to send the daemon token: cannot read the socket tables: " + e.getMessage());
        }
        if (owners.isEmpty()) {
            throw new CliException("cannot reach the daemon: nothing listens on 127.0.0.1:" + info.port());
        }
        for (int owner : owners) {
            if (owner != daemonUid) {
                throw new UntrustedDaemonPort("refusing to send the daemon token: 127.0.0.1:" + info.port()
                        + " is served by uid " + owner + ", not by the daemon's user (uid " + daemonUid + ")");
            }
        }
    }

    static String lastLine(Path log) {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            // The last line that is not part of a stack trace says what went wrong.
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i);
                if (!line.isBlank() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("Caused by")) {
                    return line.strip();
                }
            }
            return "no output in " + log;
        } catch (IOException e) {
            return "see " + log;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
