package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.tls.InstallationToken;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.Daemon;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.install.NodeConfig;
import dev.pgfly.node.install.NodeFiles;
import dev.pgfly.node.install.NodeStore;
import dev.pgfly.node.install.NodeView;
import dev.pgfly.node.tls.InstallationTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "node", mixinStandardHelpOptions = true,
        description = {"This host as a node of an installation of several hosts.",
                "`node init` on the first host, `node join` on the others; then every command works on any node."},
        subcommands = {NodeCommand.Init.class, NodeCommand.Join.class, NodeCommand.Run.class, NodeCommand.ListNodes.class,
                NodeCommand.Drain.class, NodeCommand.Undrain.class, NodeCommand.Remove.class, NodeCommand.Systemd.class, NodeCommand.Token.class})
public final class NodeCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The keys of node.yaml, as flags. */
    static final class NodeOptions {
        @Option(names = "--name", required = true, description = "This node's name, unique in the installation")
        String name;
        @Option(names = "--address", required = true, description = "This host's address, which the other hosts reach")
        String address;
        @Option(names = "--region", description = "Region of this host (default: local)")
        String region;
        @Option(names = "--zone", description = "Failure domain inside the region (default: the node's name)")
        String zone;
        @Option(names = "--api-port", description = "The node's API port (default: ${DEFAULT-VALUE})", defaultValue = "7432")
        int apiPort;
        @Option(names = "--client-port", description = "ZooKeeper client port (default: ${DEFAULT-VALUE})", defaultValue = "2181")
        int clientPort;
        @Option(names = "--quorum-port", description = "ZooKeeper quorum port (default: ${DEFAULT-VALUE})", defaultValue = "2888")
        int quorumPort;
        @Option(names = "--election-port", description = "ZooKeeper election port (default: ${DEFAULT-VALUE})", defaultValue = "3888")
        int electionPort;
        @Option(names = "--witness", description = "Vote in the store, hold no member (the third host of a two-member cluster)")
        boolean witness;
        @Option(names = "--store", paramLabel = "zk://H:P,.../ROOT", description = "Use this external ZooKeeper ensemble instead of embedded peers")
        String store;
        @Option(names = "--json", description = "Print JSON")
        boolean json;

        NodeConfig config(String join) {
            return new NodeConfig(name, address, region, zone, apiPort, clientPort, quorumPort, electionPort, witness,
                    store, join, null).validated().requireLocalAddress();
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Make this host the first node of a new installation, and start it in the background.")
    public static final class Init implements Callable<Integer> {
        @Mixin
        NodeOptions options;

        @Override
        public Integer call() throws IOException {
            return start(options, options.config(null), null);
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            description = "Join this host to an installation through one of its nodes, and start it in the background.")
    public static final class Join implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The API of any node of the installation")
        String node;
        @Option(names = "--token", description = "The installation's token (or set PGFLY_TOKEN: a flag shows in ps)")
        String token;
        @Mixin
        NodeOptions options;

        @Override
        public Integer call() throws IOException {
            String t = token != null ? token : System.getenv("PGFLY_TOKEN");
            if (t == null || t.isBlank()) {
                throw new CliException("the installation's token is needed: --token T or PGFLY_TOKEN (pgfly node init printed it)");
            }
            try {
                return start(options, options.config(node), InstallationToken.parse(t).text());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
        }
    }

    /**
     * Writes node.yaml (and a joiner's token), starts the node and waits for it. Whatever fails, the home is
     * left as it was: a refused join or a wrong address can simply be run again, corrected. A home that runs
     * one-host clusters becomes the first node of a new installation and keeps them (the node adopts them:
     * HomeAdoption); once the node has begun taking over the one-host store's files, a failed start is not
     * undone but finished by starting the node again.
     */
    static int start(NodeOptions options, NodeConfig config, String joinToken) throws IOException {
        PgflyHome home = PgflyHome.resolve();
        Path yaml = NodeFiles.config(home);
        if (Files.exists(yaml)) {
            throw new CliException("this host is already a node of an installation (" + yaml + "): `pgfly node list` shows it");
        }
        // Before anything else reads or writes the home's files: a running one-host daemon owns them.
        if (new DaemonClient(home).running().isPresent()) {
            throw new CliException("the one-host daemon of " + home.root() + " is running: `pgfly daemon stop` first");
        }
        List<String> oneHostClusters = home.recordedClusters();
        if (!oneHostClusters.isEmpty() && joinToken != null) {
            throw new CliException(home.root() + " runs one-host clusters: `pgfly node init` makes this home the first node"
                    + " of a new installation and keeps them; to join an installation, use another PGFLY_HOME");
        }
        if (!oneHostClusters.isEmpty() && config.store() != null) {
            throw new CliException(home.root() + " runs one-host clusters, whose coordination state is in this home's"
                    + " ZooKeeper: make it a node with the embedded store (no --store), or use another PGFLY_HOME");
        }
        // Only what this command makes is undone on failure: never a one-host home's own files.
        List<Path> made = new java.util.ArrayList<>();
        for (Path p : List.of(yaml, NodeStore.installationTokenFile(home), NodeStore.admissionFile(home),
                home.storeCredentialsFile(), home.zookeeperDir())) {
            if (!Files.exists(p)) {
                made.add(p);
            }
        }
        try {
            Files.createDirectories(home.daemonDir());
            Files.setPosixFilePermissions(home.daemonDir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            if (joinToken != null) {
                Secrets.writePrivate(NodeStore.installationTokenFile(home), joinToken);
            }
            Secrets.writePrivate(yaml, config.yaml());
            new DaemonClient(home).ensureRunning();
        } catch (RuntimeException e) {
            if (!oneHostClusters.isEmpty() && Files.exists(home.zookeeperDir().resolve("data"))) {
                // the one-host store's files moved (some or all) to the node's peer: only the node goes on from here
                throw new CliException("node " + config.name() + " did not start (" + e.getMessage() + "); it had begun"
                        + " taking over this home's one-host clusters: fix the cause (see " + home.daemonLog()
                        + ") and run `pgfly node list`, which starts it again and finishes");
            }
            for (Path p : made) {
                FileTrees.delete(p);
            }
            throw e;
        }
        String token = wholeToken(home);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", config.name());
        out.put("address", config.address());
        out.put("api", config.apiEndpoint());
        out.put("token", token);
        out.put("join", "pgfly node join " + config.apiEndpoint() + " --token " + token + " --name NAME --address ADDRESS");
        List<String> adopted = List.of();
        List<String> notAdopted = List.of();
        if (!oneHostClusters.isEmpty()) {
            // What the node says it runs, not what this command hoped: one that could not be adopted is named.
            DaemonClient node = new DaemonClient(home).ensureRunning();
            java.util.Set<String> listed = new java.util.HashSet<>(node.convertList(node.get("/v1/clusters"),
                    dev.pgfly.node.api.ClusterView.class).stream().map(dev.pgfly.node.api.ClusterView::name).toList());
            adopted = oneHostClusters.stream().filter(listed::contains).toList();
            out.put("adopted", adopted);
            notAdopted = oneHostClusters.stream().filter(c -> !listed.contains(c)).toList();
            out.put("not_adopted", notAdopted);
        }
        if (options.json) {
            ClusterCommand.printJson(out);
        } else {
            System.out.println("Node " + config.name() + " is up: API " + config.apiEndpoint() + ".");
            if (!adopted.isEmpty()) {
                System.out.println("This home's clusters run on it now, every member on this host: "
                        + String.join(", ", adopted) + " (`pgfly status NAME`).");
            }
            System.out.println("On each other host, run:");
            System.out.println("  " + out.get("join"));
        }
        if (!notAdopted.isEmpty()) {
            throw new CliException("node " + config.name() + " is up, but did not adopt " + String.join(", ", notAdopted)
                    + " (why: " + home.daemonLog() + "): left as they were; the node tries again at its next start");
        }
        return 0;
    }

    /** The installation's secret with its CA's fingerprint: what a joining host and a remote CLI need. */
    static String wholeToken(PgflyHome home) throws IOException {
        String secret = Files.readString(NodeStore.installationTokenFile(home)).strip();
        return InstallationTls.of(home).tokenFor(secret).text();
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = {"Print the installation's token (its secret and its CA's fingerprint), for `node join`",
                    "on another host or PGFLY_TOKEN of a CLI elsewhere. Keep it like a password."})
    public static final class Token implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() throws IOException {
            PgflyHome home = PgflyHome.resolve();
            if (!Files.exists(NodeFiles.config(home)) || !Files.exists(NodeStore.installationTokenFile(home))) {
                throw new CliException("this host is not a node (no " + NodeFiles.config(home) + "): run `pgfly node init` or `pgfly node join` first");
            }
            if (!InstallationTls.of(home).hasCa()) {
                throw new CliException("this node has no installation CA: it was made by an older pgfly; make the installation again");
            }
            String token = wholeToken(home);
            if (json) {
                ClusterCommand.printJson(Map.of("token", token));
            } else {
                System.out.println(token);
            }
            return 0;
        }
    }


    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run this host's node in the foreground (for systemd): its configuration from FILE.")
    public static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "node.yaml")
        Path file;

        @Override
        public Integer call() throws Exception {
            NodeConfig config = NodeConfig.read(file);
            PgflyHome home = config.home() != null ? new PgflyHome(Path.of(config.home()).toAbsolutePath().normalize())
                    : PgflyHome.resolve();
            Path yaml = NodeFiles.config(home);
            if (!Files.exists(yaml) || !Files.readString(yaml).equals(config.yaml())) {
                Files.createDirectories(home.daemonDir());
                Secrets.writePrivate(yaml, config.yaml());
            }
            Daemon.run(home);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The installation's nodes.")
    public static final class ListNodes extends ClusterCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() {
            DaemonClient daemon = daemon();
            List<NodeView> nodes = daemon.convertList(daemon.get("/v1/nodes"), NodeView.class);
            if (json) {
                printJson(nodes);
                return 0;
            }
            Table t = new Table("NODE", "ADDRESS", "REGION", "ZONE", "UP", "STORE", "MEMBERS");
            for (NodeView n : nodes) {
                t.row(n.name() + (n.witness() ? " (witness)" : "") + (n.drained() ? " (drained)" : ""), n.address(),
                        n.region(), n.zone(), n.up() ? "up" : "DOWN",
                        n.storeState().isEmpty() ? n.storeRole() : n.storeRole() + " (" + n.storeState() + ")",
                        n.members().isEmpty() ? "-" : String.join(",", n.members()));
            }
            System.out.print(t.render());
            return 0;
        }
    }

    /** A command on one node of the installation: its name checked, one call, one line said. */
    abstract static class OnNode extends ClusterCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NODE")
        String name;

        static String nodePath(String name) {
            return "/v1/nodes/" + DaemonClient.enc(dev.pgfly.core.util.Names.requireNodeName(name));
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true, description = "Place nothing new on a node.")
    public static final class Drain extends OnNode {
        @Override
        public Integer call() {
            daemon().post(nodePath(name) + "/drain", null, Duration.ofSeconds(30));
            System.out.println("Node " + name + " is drained: nothing new is placed there.");
            return 0;
        }
    }

    @Command(name = "undrain", mixinStandardHelpOptions = true, description = "Let placement use a drained node again.")
    public static final class Undrain extends OnNode {
        @Override
        public Integer call() {
            daemon().post(nodePath(name) + "/undrain", null, Duration.ofSeconds(30));
            System.out.println("Node " + name + " takes members again.");
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a node from the installation (refused while it runs members).")
    public static final class Remove extends OnNode {
        @Override
        public Integer call() {
            daemon().delete(nodePath(name), Duration.ofSeconds(60));
            System.out.println("Node " + name + " removed.");
            return 0;
        }
    }

    @Command(name = "systemd", mixinStandardHelpOptions = true,
            description = "Print a systemd unit that runs this host's node.")
    public static final class Systemd implements Callable<Integer> {
        @Override
        public Integer call() {
            PgflyHome home = PgflyHome.resolve();
            Path yaml = NodeFiles.config(home);
            if (!Files.exists(yaml)) {
                throw new CliException("this host is not a node (no " + yaml + "): run `pgfly node init` or `pgfly node join` first");
            }
            String bin = Path.of(dev.pgfly.core.util.ClassDataSharing.classPath()).toAbsolutePath().getParent().getParent()
                    .getParent().resolve("bin/pgfly").toString();
            System.out.print(SystemdUnit.render(bin, home.root().toString(), yaml.toString()));
            return 0;
        }
    }
}
