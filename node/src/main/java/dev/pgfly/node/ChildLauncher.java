package dev.pgfly.node;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkTls;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.util.ClassDataSharing;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds the command lines of agents and proxies: the same JVM and jar as the daemon, so that a
 * member runs exactly the code the daemon does, each as its own OS process.
 */
final class ChildLauncher {
    /** Agents are small and mostly idle: a small heap that shrinks back, serial GC, C1 only to start fast. */
    private static final List<String> AGENT_JVM = Stream.concat(Stream.of("-Xms16m", "-Xmx96m",
            "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:MaxMetaspaceSize=96m",
            "-XX:ReservedCodeCacheSize=32m"), dev.pgfly.core.util.JvmFootprint.SHRINKING_HEAP.stream()).toList();
    /** The proxy pipes bytes: full JIT, still a small heap, sized for its load (it does not shrink back). */
    private static final List<String> PROXY_JVM = List.of("-Xms16m", "-Xmx128m", "-XX:+UseSerialGC");

    private final PgflyHome home;
    /** Volatile: in an installation the ensemble grows, and a child started later gets today's servers. */
    private volatile DcsAddress dcs;
    private final StoreCredentials credentials;
    private volatile ThisNode thisNode = ThisNode.singleHost();
    /** The node's TLS files for the store (an installation's embedded peers), or null: plain text. */
    private volatile ZkTls tls;
    private final String java;
    private final String classpath;
    private volatile Consumer<ChildProcess.Restart> onRestart = r -> { };

    ChildLauncher(PgflyHome home, DcsAddress dcs, StoreCredentials credentials) {
        this.home = home;
        this.dcs = dcs;
        this.credentials = credentials;
        this.java = ProcessHandle.current().info().command().orElse("java");
        this.classpath = ClassDataSharing.classPath();
    }

    PgflyHome home() {
        return home;
    }

    /** The store's servers as they are now (an installation's ensemble grows as nodes join). */
    void useStore(DcsAddress current) {
        this.dcs = current;
    }

    /** Children reach the store over TLS with the node's files ({@code --dcs-tls DIR}). */
    void useTls(ZkTls nodeTls) {
        this.tls = nodeTls;
    }

    void runAs(ThisNode node) {
        this.thisNode = node;
    }

    /** Who hears of a child that died and was restarted. */
    void onRestart(Consumer<ChildProcess.Restart> listener) {
        this.onRestart = listener;
    }

    ChildProcess agent(LocalCluster cluster, MemberSpec member, Path memberDir) {
        String name = cluster.spec().name();
        List<String> cmd = jvm(AGENT_JVM, "agent");
        cmd.addAll(List.of("agent", "--cluster", name, "--member", member.name(), "--dcs", dcs.toString(),
                "--dcs-auth", storeCredentialsFor(name).toString(),
                "--member-dir", memberDir.toString(), "--secrets", home.secretsDir(name).toString(),
                "--host", member.host(), "--pg-bin", cluster.pgBin()));
        addTls(cmd);
        return new ChildProcess(name + "/" + member.name(), cmd,
                home.clusterDir(name).resolve("logs").resolve(member.name() + "-agent.log"),
                home.childrenDir().resolve(name + "." + member.name() + ".pid"), r -> onRestart.accept(r));
    }

    /** The cluster's proxy: the primary region's on one host, the region of this node's members in an installation. */
    ChildProcess proxy(LocalCluster cluster) {
        return proxy(cluster, thisNode.proxyRegion(cluster), cluster.spec().proxyPort(), "proxy");
    }

    /** The proxy of another region: its replica port prefers that region's replicas. */
    ChildProcess regionProxy(LocalCluster cluster, String region) {
        return proxy(cluster, region, cluster.proxyPortFor(region), "proxy-" + region);
    }

    private ChildProcess proxy(LocalCluster cluster, String region, int port, String id) {
        String name = cluster.spec().name();
        Path logs = home.clusterDir(name).resolve("logs");
        List<String> cmd = jvm(PROXY_JVM, "proxy");
        cmd.addAll(List.of("proxy", "--cluster", name, "--dcs", dcs.toString(),
                "--dcs-auth", storeCredentialsFor(name).toString(), "--listen", thisNode.proxyListenAddress(cluster),
                "--port", Integer.toString(port), "--replica-port", Integer.toString(port + 1), "--region", region,
                // Only the primary region's proxy serves metrics for now: one scrape target per cluster.
                "--metrics-port", Integer.toString(id.equals("proxy") ? cluster.proxyMetricsPort() : 0),
                // The proxy rolls its own log (a flood of clients must not grow it without end); its
                // standard error keeps only what logging cannot say.
                "--log-file", logs.resolve(id + ".log").toString()));
        if (id.equals("proxy")) {
            // The primary region's proxy exports its PgBouncer's pools and stats, when the cluster's record (in the
            // store, read at each scrape) says it has one: the pooler may be turned on later without a proxy restart.
            cmd.addAll(List.of("--pooler-admin-password-file",
                    dev.pgfly.node.pooler.Pooling.adminPasswordFile(home.secretsDir(name)).toString()));
            if (cluster.spec().tls()) {
                cmd.addAll(List.of("--pooler-ca-file", dev.pgfly.core.tls.TlsFiles.caCertificate(home.secretsDir(name)).toString()));
            }
        }
        addTls(cmd);
        return new ChildProcess(name + "/" + id, cmd, logs.resolve(id + ".stderr.log"),
                home.childrenDir().resolve(name + "." + id + ".pid"), r -> onRestart.accept(r));
    }

    /** The cluster's PgBouncer (its files written by the caller), supervised like the proxy it stands next to. */
    ChildProcess pooler(LocalCluster cluster, Path ini) {
        String name = cluster.spec().name();
        Path logs = home.clusterDir(name).resolve("logs");
        return new ChildProcess(name + "/pooler", dev.pgfly.node.pooler.Pooling.command(ini), logs.resolve("pooler.log"),
                home.childrenDir().resolve(name + ".pooler.pid"), r -> onRestart.accept(r));
    }

    private void addTls(List<String> cmd) {
        ZkTls current = tls;
        if (current != null) {
            cmd.addAll(List.of("--dcs-tls", current.directory().toString()));
        }
    }

    /**
     * The cluster's copy of the store credentials (secrets/zk.auth, 0600), written when missing: children
     * get its path, never the password, on their command line (which every local user can read).
     */
    private Path storeCredentialsFor(String cluster) {
        Path file = home.secretsDir(cluster).resolve("zk.auth");
        try {
            credentials.writeTo(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private List<String> jvm(List<String> flags, String role) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(flags);
        cmd.addAll(ClassDataSharing.jvmOptions(Path.of(classpath), role));
        cmd.add("-Dpgfly.role=child");
        cmd.addAll(List.of("-cp", classpath, "dev.pgfly.cli.Main"));
        return cmd;
    }
}
