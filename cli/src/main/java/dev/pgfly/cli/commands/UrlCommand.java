package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "url", mixinStandardHelpOptions = true,
        description = "Print the connection URL through the proxy, superuser credentials included.")
public final class UrlCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--replica", description = "The replica port's URL (read-only)")
    boolean replica;

    @Option(names = "--database", defaultValue = "postgres", description = "Database. Default: ${DEFAULT-VALUE}")
    String database;

    @Option(names = "--region", description = "Through the proxy of this region (default: the primary region's)")
    String region;

    @Option(names = "--verify", description = "TLS clusters: require the URL that checks the server's certificate"
            + " (sslmode=verify-full, sslrootcert = the cluster's CA file); an error for a cluster without TLS")
    boolean verify;

    @Option(names = "--single-host", description = "Several hosts: one proxy's URL (this host's, when it runs one) for"
            + " clients that cannot read a multi-host URL; they lose the cluster with that host")
    boolean singleHost;

    @Option(names = "--pooled", description = "The URL through the cluster's PgBouncer (its pooled port), which holds"
            + " clients through a planned switchover instead of ending their connections")
    boolean pooled;

    @Option(names = "--no-verify", description = "TLS clusters: the URL without sslmode (the client encrypts but checks nothing)")
    boolean noVerify;

    /**
     * A TLS cluster's URL verifies the server by default: without sslmode, libpq encrypts and checks nothing,
     * so anyone on the path could pose as the cluster.
     */
    @Override
    public Integer call() {
        if (verify && noVerify) {
            throw new IllegalArgumentException("--verify and --no-verify exclude each other");
        }
        if (pooled && (replica || region != null)) {
            throw new IllegalArgumentException("--pooled leads to the primary: not with --replica or --region");
        }
        tools.jackson.databind.JsonNode urls = pooled ? daemonToRead().get(path(name) + "/url?pooled=true&database="
                + DaemonClient.enc(database) + (singleHost ? "&single_host=true" : ""))
                : urls(daemonToRead(), name, replica, database, region, singleHost);
        boolean tls = urls.path("verify_url").isString();
        if (verify && !tls) {
            throw new IllegalStateException("cluster '" + name + "' does not use TLS: there is no certificate to verify");
        }
        System.out.println(tls && !noVerify ? urls.get("verify_url").asString() : urls.get("url").asString());
        return 0;
    }

    /** The URL pgfly's own clients use: the verifying one for a TLS cluster, the plain one otherwise. */
    static String connectUrl(DaemonClient daemon, String name, boolean replica, String database) {
        tools.jackson.databind.JsonNode urls = urls(daemon, name, replica, database, null);
        tools.jackson.databind.JsonNode verifying = urls.path("verify_url");
        return verifying.isString() ? verifying.asString() : urls.get("url").asString();
    }

    static String url(DaemonClient daemon, String name, boolean replica, String database) {
        return url(daemon, name, replica, database, null);
    }

    static String url(DaemonClient daemon, String name, boolean replica, String database, String region) {
        return urls(daemon, name, replica, database, region).get("url").asString();
    }

    private static tools.jackson.databind.JsonNode urls(DaemonClient daemon, String name, boolean replica, String database,
                                                        String region) {
        return urls(daemon, name, replica, database, region, false);
    }

    private static tools.jackson.databind.JsonNode urls(DaemonClient daemon, String name, boolean replica, String database,
                                                        String region, boolean singleHost) {
        return daemon.get(path(name) + "/url?replica=" + replica + "&database=" + DaemonClient.enc(database)
                + (region == null ? "" : "&region=" + DaemonClient.enc(region)) + (singleHost ? "&single_host=true" : ""));
    }
}
