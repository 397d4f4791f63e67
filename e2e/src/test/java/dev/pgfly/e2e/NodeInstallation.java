package dev.pgfly.e2e;

import dev.pgfly.core.util.FileTrees;
import dev.pgfly.core.util.Json;
import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.hosts.Host;
import dev.pgfly.testkit.hosts.Hosts;
import dev.pgfly.testkit.hosts.NodeApi;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An installation of several namespace hosts for end-to-end tests: the hosts, each one's {@code pgfly} with its
 * own home, the installation's token, calls to a node's API from the test (as another host's CLI makes them,
 * without a JVM start each time), and a close that ends everything whatever fails on the way.
 */
final class NodeInstallation implements AutoCloseable {

    private final Hosts hosts;
    private final Path root;
    private final List<Pgfly> nodes = new ArrayList<>();
    private String token;
    private NodeApi api;

    private NodeInstallation(Hosts hosts, Path root) {
        this.hosts = hosts;
        this.root = root;
    }

    static NodeInstallation of(int count) throws Exception {
        Hosts hosts = Hosts.create(count);
        Path root = Files.createTempDirectory(Path.of("/tmp"), "pgfly-nodes-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        NodeInstallation installation = new NodeInstallation(hosts, root);
        for (Host h : hosts.all()) {
            installation.nodes.add(h.pgfly(root.resolve(h.name()), Map.of()));
        }
        return installation;
    }

    /** {@code node init} on host {@code i}: the installation's first node. */
    JsonNode init(int i, String name, String... more) {
        List<String> args = new ArrayList<>(List.of("node", "init", "--name", name, "--address", host(i).address(), "--json"));
        args.addAll(List.of(more));
        JsonNode answer = node(i).ok(args.toArray(String[]::new)).json();
        token = answer.get("token").asString();
        api = new NodeApi(token);
        return answer;
    }

    /** {@code node join} on host {@code i} through the first host's node. */
    void join(int i, String name, String... more) {
        List<String> args = new ArrayList<>(List.of("node", "join", host(1).address() + ":7432", "--token", token,
                "--name", name, "--address", host(i).address()));
        args.addAll(List.of(more));
        node(i).ok(args.toArray(String[]::new));
    }

    Host host(int i) {
        return hosts.host(i);
    }

    Pgfly node(int i) {
        return nodes.get(i - 1);
    }

    String token() {
        return token;
    }

    /** The nodes' API client of this installation (HTTPS, pinned to its CA by the token). */
    NodeApi nodeApi() {
        return api;
    }

    Path root() {
        return root;
    }

    /** A call to host {@code i}'s node API with the installation's token; a non-200 answer is an exception. */
    JsonNode api(int i, String method, String path) throws Exception {
        HttpResponse<String> r = api.call(host(i).address(), 7432, method, path, Duration.ofSeconds(10));
        if (r.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + " on h" + i + ": " + r.statusCode() + " " + r.body());
        }
        return Json.MAPPER.readTree(r.body());
    }

    /** The cluster's status from host {@code i}'s node, once {@code ready} holds (polled; the node may be restarting). */
    JsonNode awaitStatus(int i, String cluster, Predicate<JsonNode> ready, int seconds) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = api(i, "GET", "/v1/clusters/" + cluster);
                if (ready.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                // the node may be restarting, or its host cut off
            }
            Thread.sleep(500);
        }
        throw new AssertionError("cluster " + cluster + " not ready on h" + i + " within " + seconds + " s: " + last);
    }

    /** Every host healed, every node closed (clusters destroyed, nodes stopped), the hosts gone: whatever one close throws. */
    @Override
    public void close() {
        for (Host h : hosts.all()) {
            if (h.isCut()) {
                h.heal();
            }
        }
        keepLogs();
        java.util.Set<Path> data = dev.pgfly.testkit.hosts.InstallationData.of(nodes);
        for (Pgfly p : nodes) {
            try {
                p.close();
            } catch (Exception e) {
                System.err.println("closing " + p.home() + ": " + e);
            }
        }
        hosts.close();
        dev.pgfly.testkit.hosts.InstallationData.delete(data);
        try {
            FileTrees.delete(root);
        } catch (Exception e) {
            System.err.println("removing " + root + ": " + e);
        }
    }

    /**
     * With PGFLY_KEEP_LOGS=DIR, every log under the homes (nodes', agents', PostgreSQL's, proxies') is copied there
     * before the homes go, named by its path (for a failed run).
     */
    private void keepLogs() {
        String keep = System.getenv("PGFLY_KEEP_LOGS");
        if (keep == null || keep.isBlank()) {
            return;
        }
        keepLogsUnder(root, Path.of(keep), "");
        // Members' directories (agent.log, postgres.log) sit in the installation's data directory, not in a home.
        for (Path data : dev.pgfly.testkit.hosts.InstallationData.of(nodes)) {
            keepLogsUnder(data, Path.of(keep), "data_");
        }
    }

    private static void keepLogsUnder(Path dir, Path keep, String prefix) {
        if (Files.isDirectory(dir)) {
            dev.pgfly.testkit.Pgfly.copyLogs(dir, relative -> keep.resolve(prefix + relative.toString().replace('/', '_')));
        }
    }
}
