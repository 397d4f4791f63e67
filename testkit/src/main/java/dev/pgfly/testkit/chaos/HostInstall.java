package dev.pgfly.testkit.chaos;

import dev.pgfly.core.util.FileTrees;
import dev.pgfly.core.util.Json;
import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.hosts.Host;
import dev.pgfly.testkit.hosts.Hosts;
import dev.pgfly.testkit.hosts.NodeApi;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pgfly installation over N namespace hosts ({@link Hosts}), as a benchmark or a fault campaign uses it:
 * h1 runs {@code node init}, the others {@code node join} (the first three are ZooKeeper voters). The
 * cluster's status comes from a node's API over HTTPS, not from a CLI JVM per call (3-8 s each on a small
 * machine), from the first host that answers; hosts a fault made unreachable are asked last.
 * {@link #close()} heals, destroys and removes everything it made.
 */
public final class HostInstall implements AutoCloseable {
    public static final int API_PORT = 7432;

    private final Hosts hosts;
    private final Path root;
    private final List<Pgfly> nodes = new ArrayList<>();
    private final Set<Integer> unreachable = ConcurrentHashMap.newKeySet();
    private String token;
    private NodeApi api;
    private DataVolumes volumes;

    private HostInstall(Hosts hosts, Path root) {
        this.hosts = hosts;
        this.root = root;
    }

    /** {@code count} hosts, each with its node: h1 initialises the installation, the others join it. */
    public static HostInstall start(int count, PrintStream log) throws IOException {
        Hosts hosts = Hosts.create(count);
        Path root = Files.createTempDirectory(Path.of("/tmp"), "pgfly-hosts-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        HostInstall install = new HostInstall(hosts, root);
        try {
            for (Host h : hosts.all()) {
                install.nodes.add(h.pgfly(root.resolve(h.name()), Map.of()));
            }
            long started = System.nanoTime();
            install.token = install.node(1).ok("node", "init", "--name", "h1", "--address", hosts.host(1).address(), "--json")
                    .json().get("token").asString();
            install.api = new NodeApi(install.token);
            for (int i = 2; i <= count; i++) {
                install.node(i).ok("node", "join", hosts.host(1).address() + ":" + API_PORT, "--token", install.token,
                        "--name", "h" + i, "--address", hosts.host(i).address());
            }
            log.println(String.format("installation of %d namespace hosts ready in %.1f s", count, (System.nanoTime() - started) / 1e9));
            return install;
        } catch (RuntimeException | IOException e) {
            install.close();
            throw e;
        }
    }

    public Host host(int i) {
        return hosts.host(i);
    }

    public int size() {
        return hosts.all().size();
    }

    /** The CLI run inside host {@code i} (1-based). */
    public Pgfly node(int i) {
        return nodes.get(i - 1);
    }

    public String token() {
        return token;
    }

    /**
     * A tmpfs of {@code megabytes} over each of {@code members}' directories of {@code cluster} (before
     * it is created), then every node started again: a node keeps the mount table it started with, so only
     * a node started after the mounts sees the volumes. The nodes are stopped and started all at once, not
     * one after the other (no cluster exists yet, so nothing is lost while the ensemble re-forms; one after
     * the other took 76 s of a CI run). Unmounted by {@link #close()}.
     */
    public DataVolumes mountDataVolumes(String cluster, List<String> members, int megabytes, PrintStream log) throws IOException {
        if (volumes != null) {
            throw new IllegalStateException("data volumes are mounted already");
        }
        Set<Path> installations = dev.pgfly.testkit.hosts.InstallationData.of(nodes);
        if (installations.size() != 1) {
            throw new IllegalStateException("expected one installation's data directory, found " + installations);
        }
        Path dataRoot = installations.iterator().next().resolve(cluster).resolve("members");
        long started = System.nanoTime();
        volumes = DataVolumes.mount(dataRoot, members, megabytes, log);
        onEveryNode(i -> {
            if (node(i).run("daemon", "stop").exit() != 0) {
                host(i).crash();
            }
        });
        // Any CLI command starts the node; while the ensemble has no majority yet a command may fail: again.
        onEveryNode(i -> {
            long deadline = System.currentTimeMillis() + 120_000;
            Pgfly.Result r = node(i).run("node", "list");
            while (r.exit() != 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(1_000);
                r = node(i).run("node", "list");
            }
            if (r.exit() != 0) {
                throw new IllegalStateException("h" + i + " did not start again after the volumes were mounted: " + r.err().strip());
            }
        });
        log.println(String.format("data volumes of %d MB over %s, nodes started again, in %.1f s", megabytes,
                volumes.directories(), (System.nanoTime() - started) / 1e9));
        return volumes;
    }

    private interface OnNode {
        void run(int i) throws Exception;
    }

    /** Runs {@code action} for every node at the same time; the first failure is thrown once all are done. */
    private void onEveryNode(OnNode action) throws IOException {
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 1; i <= size(); i++) {
            int node = i;
            threads.add(Thread.ofPlatform().name("node-" + node).start(() -> {
                try {
                    action.run(node);
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the nodes restart", e);
            }
        }
        if (!failures.isEmpty()) {
            throw new IOException("restarting the nodes over their data volumes failed: " + failures.getFirst().getMessage(), failures.getFirst());
        }
    }

    /** The members' data volumes, or null when none were mounted. */
    public DataVolumes dataVolumes() {
        return volumes;
    }

    /** Host index (1-based) of a member in a status, from its {@code node} field ("h2" is host 2). */
    public static int hostOf(JsonNode member) {
        return Integer.parseInt(member.get("node").asString().substring(1));
    }

    /** Marks a host as one the status should not be asked of first (cut off, crashed) or clears that. */
    public void reachable(int i, boolean yes) {
        if (yes) {
            unreachable.remove(i);
        } else {
            unreachable.add(i);
        }
    }

    /** The superuser password of a cluster, from the node that created it. */
    public String password(String cluster) throws IOException {
        return Files.readString(node(1).home().resolve("clusters/" + cluster + "/secrets/superuser.password")).strip();
    }

    /** The cluster's status JSON from the first node that answers (reachable hosts first). */
    public JsonNode status(String cluster) {
        List<Integer> order = new ArrayList<>();
        for (int i = 1; i <= size(); i++) {
            if (!unreachable.contains(i)) {
                order.add(i);
            }
        }
        for (int i = 1; i <= size(); i++) {
            if (unreachable.contains(i)) {
                order.add(i);
            }
        }
        RuntimeException last = null;
        for (int i : order) {
            try {
                return api(i, "/v1/clusters/" + cluster);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last != null ? last : new IllegalStateException("no host");
    }

    /** GET {@code path} from host {@code i}'s node API with the installation's token. */
    public JsonNode api(int i, String path) {
        try {
            HttpResponse<String> r = api.call(host(i).address(), API_PORT, "GET", path, Duration.ofSeconds(5));
            if (r.statusCode() != 200) {
                throw new IllegalStateException("h" + i + " answered " + r.statusCode() + ": " + r.body().strip());
            }
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("h" + i + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * One primary running, every other member running and streaming, as many members as {@code expected}:
     * the state a round waits for before and after its faults.
     */
    public static boolean healthy(JsonNode s, int expected) {
        if (s == null || s.get("members") == null || s.get("members").size() != expected) {
            return false;
        }
        int primaries = 0;
        for (JsonNode m : s.get("members")) {
            String role = m.path("role").asString("");
            if (!m.path("state").asString("").equals("running") || !(role.equals("primary") || m.path("streaming").asBoolean(false))) {
                return false;
            }
            primaries += role.equals("primary") ? 1 : 0;
        }
        return primaries == 1 && "running".equals(s.path("state").asString(""));
    }

    /** The running primary's entry in a status, or null. */
    public static JsonNode primary(JsonNode s) {
        for (JsonNode m : s.get("members")) {
            if (m.path("role").asString("").equals("primary") && m.path("state").asString("").equals("running")) {
                return m;
            }
        }
        return null;
    }

    /** Polls until {@link #healthy}; the last status, or null when it did not within {@code timeoutMillis}. */
    public JsonNode awaitHealthy(String cluster, int members, long timeoutMillis) throws InterruptedException {
        return awaitHealthy(cluster, members, timeoutMillis, s -> true);
    }

    /** As {@link #awaitHealthy(String, int, long)}, and {@code settled} must hold too (e.g. the fault has shown). */
    public JsonNode awaitHealthy(String cluster, int members, long timeoutMillis, java.util.function.Predicate<JsonNode> settled)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            try {
                JsonNode s = status(cluster);
                if (healthy(s, members) && settled.test(s)) {
                    return s;
                }
            } catch (RuntimeException e) {
                // every node busy or restarting: ask again
            }
            Thread.sleep(250);
        }
        return null;
    }

    /**
     * The host whose ZooKeeper peer leads the ensemble now ("h2"), or "none" when no peer says so: asked with
     * ZooKeeper's {@code srvr} command (whitelisted by the nodes) over TLS on the client port of every host. A fault on
     * the ZooKeeper leader's host costs an ensemble election, unlike one on a follower's.
     */
    public String zooKeeperLeader() {
        javax.net.ssl.SSLSocketFactory tls;
        try {
            // The peers' client port speaks TLS only and wants a client certificate: host 1's node certificate.
            Path dir = node(1).home().resolve("daemon/tls");
            tls = dev.pgfly.core.tls.NodeApiTls.mutual(
                    Files.readString(dir.resolve(dev.pgfly.core.coord.ZkTls.KEY_AND_CERTIFICATE_FILE)),
                    Files.readString(dir.resolve(dev.pgfly.core.coord.ZkTls.CA_FILE))).getSocketFactory();
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        for (int i = 1; i <= size(); i++) {
            try (java.net.Socket plain = new java.net.Socket()) {
                plain.connect(new java.net.InetSocketAddress(host(i).address(), 2181), 1_000);
                plain.setSoTimeout(2_000);
                try (java.net.Socket socket = tls.createSocket(plain, host(i).address(), 2181, false)) {
                    socket.getOutputStream().write("srvr".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
                    if (answer.contains("Mode: leader")) {
                        return "h" + i;
                    }
                }
            } catch (IOException e) {
                // down, cut off or not a peer: ask the next host
            }
        }
        return "none";
    }

    /**
     * No member reports one of {@code killed} as its agent's or PostgreSQL's process: the status has seen
     * the kill. Right after a SIGKILL the store still holds the member's last record, healthy, and a round
     * once counted "healthy again 104 ms after" killing a primary's PostgreSQL.
     */
    public static boolean noneOf(JsonNode s, java.util.Set<Long> killed) {
        for (JsonNode m : s.get("members")) {
            if (killed.contains(m.path("agent_pid").asLong(0)) || killed.contains(m.path("postgres_pid").asLong(0))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        for (Host h : hosts.all()) {
            try {
                if (h.isCut()) {
                    h.heal();
                }
                for (String peer : h.blocked()) {
                    h.unblock(peer);
                }
            } catch (RuntimeException e) {
                System.err.println("could not heal " + h + ": " + e.getMessage());
            }
        }
        java.util.Set<java.nio.file.Path> data = dev.pgfly.testkit.hosts.InstallationData.of(nodes);
        if (volumes != null) {
            // Before the nodes destroy their clusters, which empties the member directories (and their logs).
            volumes.keepLogs(root.getFileName().toString());
        }
        for (Pgfly p : nodes) {
            try {
                p.close();
            } catch (IOException | RuntimeException e) {
                System.err.println("could not close " + p.home() + ": " + e.getMessage());
            }
        }
        hosts.close();
        if (volumes != null) {
            // After every node is gone (nothing holds the volumes any more), before their directories are removed.
            volumes.close();
        }
        dev.pgfly.testkit.hosts.InstallationData.delete(data);
        FileTrees.delete(root);
    }
}
