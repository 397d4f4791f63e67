package dev.pgfly.bench;

import dev.pgfly.testkit.Pgfly;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The proxy against a direct connection (and HAProxy in TCP mode when it is installed), and the pooled
 * path (pgfly's PgBouncer, through the proxy) against a stand-alone PgBouncer to the member: pgbench
 * select-only and TPC-B-like runs at several client counts, targets alternating within each round so
 * that drift of the machine hits all of them alike; then the proxy's memory with 5,000 idle clients.
 * Prints throughput and latency with ratios to direct; passes or fails nothing.
 *
 * <p>usage: ProxyBench [--seconds S] [--rounds R] [--clients 1,8,32] [--scale N] [--idle N]
 */
public final class ProxyBench {
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");

    record Target(String name, String host, int port) {
    }

    record Result(double tps, double latencyMs) {
    }

    private ProxyBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "2"));
        int scale = Integer.parseInt(opts.getOrDefault("scale", "10"));
        int idle = Integer.parseInt(opts.getOrDefault("idle", "5000"));
        List<Integer> clientCounts = Stream.of(opts.getOrDefault("clients", "1,8,32").split(","))
                .map(Integer::parseInt).toList();
        Path pgbench = pgBin().resolve("pgbench");
        try (Pgfly pgfly = new Pgfly()) {
            pgfly.ok("create", "pbench", "--pooler", "transaction");
            JsonNode status = pgfly.status("pbench");
            JsonNode m1 = status.get("members").get(0);
            URI url = URI.create(pgfly.ok("url", "pbench").out().strip());
            String password = url.getUserInfo().split(":", 2)[1];

            List<Target> targets = new ArrayList<>();
            targets.add(new Target("direct", m1.get("host").asString(), m1.get("port").asInt()));
            targets.add(new Target("pgfly", url.getHost(), url.getPort()));
            // The same proxy piping on virtual threads instead of platform ones, beside the daemon's.
            int virtualPort = freePort();
            Process virtualPipes = startPgflyProxy(pgfly, "pbench", virtualPort, "virtual");
            targets.add(new Target("pgfly-vt", "127.0.0.1", virtualPort));
            Process haproxy = startHaproxy(m1.get("host").asString(), m1.get("port").asInt());
            if (haproxy != null) {
                targets.add(new Target("haproxy", "127.0.0.1", HAPROXY_PORT));
            }
            // pgfly's pooled port: PgBouncer (transaction pooling, 20 server connections) through the proxy.
            URI pooled = URI.create(pgfly.ok("url", "pbench", "--pooled").out().strip());
            targets.add(new Target("pooled", pooled.getHost(), pooled.getPort()));
            Path bouncerDir = Files.createTempDirectory(Path.of("/tmp"), "pgfly-bench-pgbouncer");
            Process bouncer = startPgbouncer(bouncerDir, m1.get("host").asString(), m1.get("port").asInt(), password);
            if (bouncer != null) {
                targets.add(new Target("pgbouncer", "127.0.0.1", PGBOUNCER_PORT));
            }
            try {
                run(pgbench, password, targets.getFirst(), List.of("-i", "-q", "-s", Integer.toString(scale)));
                Map<String, List<Result>> results = new LinkedHashMap<>();
                for (int round = 1; round <= rounds; round++) {
                    for (String mode : List.of("select-only", "tpcb-like")) {
                        for (int clients : clientCounts) {
                            for (Target t : targets) {
                                List<String> a = new ArrayList<>(List.of("-n", "-c", Integer.toString(clients),
                                        "-j", Integer.toString(Math.min(clients, 2)), "-T", Integer.toString(seconds)));
                                if (mode.equals("select-only")) {
                                    a.add("-S");
                                }
                                Result r = parse(run(pgbench, password, t, a));
                                results.computeIfAbsent(mode + "|" + clients + "|" + t.name(), k -> new ArrayList<>()).add(r);
                                System.out.printf("round %d %-11s %2d clients %-9s %9.0f tps %7.3f ms%n", round, mode,
                                        clients, t.name(), r.tps(), r.latencyMs());
                            }
                        }
                    }
                }
                report(results, targets, clientCounts, seconds, rounds, scale);
                idleClients(pgfly, url.getHost(), url.getPort(), idle);
            } finally {
                virtualPipes.destroy();
                virtualPipes.waitFor(10, TimeUnit.SECONDS);
                if (haproxy != null) {
                    haproxy.destroy();
                    haproxy.waitFor(10, TimeUnit.SECONDS);
                }
                if (bouncer != null) {
                    bouncer.destroy();
                    bouncer.waitFor(10, TimeUnit.SECONDS);
                }
                dev.pgfly.core.util.FileTrees.delete(bouncerDir);
            }
        }
    }

    private static void report(Map<String, List<Result>> results, List<Target> targets, List<Integer> clientCounts,
                               int seconds, int rounds, int scale) {
        System.out.printf("%nproxy bench: pgbench scale %d, %d s per run, best of %d rounds%n", scale, seconds, rounds);
        System.out.printf("%-11s %7s %-9s %10s %10s %12s%n", "mode", "clients", "target", "tps", "latency", "vs direct");
        for (String mode : List.of("select-only", "tpcb-like")) {
            for (int clients : clientCounts) {
                Result direct = best(results.get(mode + "|" + clients + "|direct"));
                for (Target t : targets) {
                    Result r = best(results.get(mode + "|" + clients + "|" + t.name()));
                    System.out.printf("%-11s %7d %-9s %10.0f %8.3fms %11.1f%%%n", mode, clients, t.name(), r.tps(),
                            r.latencyMs(), 100 * r.tps() / direct.tps());
                }
            }
        }
    }

    private static Result best(List<Result> rs) {
        return rs.stream().max(Comparator.comparingDouble(Result::tps)).orElseThrow();
    }

    /** Opens idle client connections (sending nothing yet) and reads the proxy's resident memory. */
    private static void idleClients(Pgfly pgfly, String host, int port, int count) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(pgfly.home().resolve("daemon/children/pbench.proxy.pid")).getFirst().strip());
        System.gc();
        long before = MemoryBench.rssKb(pid);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(host, port), 5000);
                sockets.add(s);
            }
            Thread.sleep(3000);
            long after = MemoryBench.rssKb(pid);
            System.out.printf("%nidle clients: %d connections held by the proxy; its RSS %d MB -> %d MB (%.1f KB per connection)%n",
                    count, before / 1024, after / 1024, (after - before) / (double) count);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static final int HAPROXY_PORT = freePort();


    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A pgfly proxy process of the bench's own, with the given kind of connection threads. */
    private static Process startPgflyProxy(Pgfly pgfly, String cluster, int port, String threads) throws Exception {
        String dcs = dev.pgfly.core.util.Json.MAPPER.readTree(Files.readString(pgfly.home().resolve("daemon/daemon.json")))
                .get("dcs").asString();
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx128m",
                "-XX:+UseSerialGC", "-Dpgfly.proxy.threads=" + threads, "-cp", Pgfly.jar(), "dev.pgfly.cli.Main",
                "proxy", "--cluster", cluster, "--dcs", dcs, "--dcs-auth", pgfly.home().resolve("daemon/zk.auth").toString(),
                "--port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("the bench's own proxy did not start");
    }

    /** HAProxy in TCP mode to the member, when installed (apt-get install haproxy); null otherwise. */
    private static Process startHaproxy(String host, int port) throws Exception {
        Path bin = Stream.of("/usr/sbin/haproxy", "/usr/bin/haproxy").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        if (bin == null) {
            System.out.println("haproxy is not installed: comparing with a direct connection only");
            return null;
        }
        Path cfg = Files.createTempFile("pgfly-bench-haproxy", ".cfg");
        Files.writeString(cfg, """
                global
                  maxconn 4096
                defaults
                  mode tcp
                  timeout connect 5s
                  timeout client 1h
                  timeout server 1h
                listen pg
                  bind 127.0.0.1:%d
                  server m1 %s:%d
                """.formatted(HAPROXY_PORT, host, port));
        // maxconn sizes HAProxy's file limit (2 per connection): 10000 needs more than a 20000 ulimit.
        Path log = Files.createTempFile("pgfly-bench-haproxy", ".log");
        Process p = new ProcessBuilder(bin.toString(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread.sleep(500);
        cfg.toFile().deleteOnExit();
        log.toFile().deleteOnExit();
        if (!p.isAlive()) {
            System.out.println("haproxy did not start: comparing with a direct connection only\n" + Files.readString(log));
            return null;
        }
        return p;
    }

    private static final int PGBOUNCER_PORT = freePort();

    /**
     * A stand-alone PgBouncer straight to the member, configured like pgfly's (transaction pooling, 20 server
     * connections, SCRAM), as PostgreSQL's OS user (PgBouncer refuses root); null when it is not installed.
     */
    private static Process startPgbouncer(Path dir, String host, int port, String password) throws Exception {
        Path bin = Stream.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        if (bin == null) {
            System.out.println("pgbouncer is not installed: no stand-alone PgBouncer row");
            return null;
        }
        Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"" + password + "\"\n");
        Files.writeString(dir.resolve("pgbouncer.ini"), """
                [databases]
                * = host=%s port=%d
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                pool_mode = transaction
                default_pool_size = 20
                max_client_conn = 1000
                auth_type = scram-sha-256
                auth_file = %s
                ignore_startup_parameters = extra_float_digits,options
                """.formatted(host, port, PGBOUNCER_PORT, dir.resolve("users.txt")));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                Files.setOwner(f, f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
            }
        }
        Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        Path log = Files.createTempFile("pgfly-bench-pgbouncer", ".log");
        log.toFile().deleteOnExit();
        Process p = new ProcessBuilder("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", bin.toString(),
                dir.resolve("pgbouncer.ini").toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline && p.isAlive()) {
            try (Socket s = new Socket("127.0.0.1", PGBOUNCER_PORT)) {
                return p;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        System.out.println("pgbouncer did not start: no stand-alone PgBouncer row\n" + Files.readString(log));
        p.destroyForcibly();
        return null;
    }

    private static String run(Path pgbench, String password, Target t, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(pgbench.toString(), "-h", t.host(), "-p", Integer.toString(t.port()),
                "-U", "postgres"));
        cmd.addAll(args);
        cmd.add("postgres");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", password);
        pb.environment().put("PGSSLMODE", "disable");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pgbench against " + t.name() + " failed: " + out);
        }
        return out;
    }

    private static Result parse(String out) {
        Matcher tps = TPS.matcher(out);
        Matcher latency = LATENCY.matcher(out);
        if (!tps.find() || !latency.find()) {
            throw new IllegalStateException("unexpected pgbench output: " + out);
        }
        return new Result(Double.parseDouble(tps.group(1)), Double.parseDouble(latency.group(1)));
    }

    private static Path pgBin() throws IOException {
        String env = System.getenv("PGFLY_PG_BIN");
        if (env != null) {
            return Path.of(env);
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .orElseThrow(() -> new IOException("no PostgreSQL under /usr/lib/postgresql")).resolve("bin");
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("usage: ProxyBench [--seconds S] [--rounds R] [--clients 1,8,32] [--scale N] [--idle N]");
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }
}
