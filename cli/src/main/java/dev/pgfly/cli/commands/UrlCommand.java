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

    @Override
    public Integer call() {
        System.out.println(url(daemon(), name, replica, database, region));
        return 0;
    }

    static String url(DaemonClient daemon, String name, boolean replica, String database) {
        return url(daemon, name, replica, database, null);
    }

    static String url(DaemonClient daemon, String name, boolean replica, String database, String region) {
        return daemon.get(path(name) + "/url?replica=" + replica + "&database=" + DaemonClient.enc(database)
                + (region == null ? "" : "&region=" + DaemonClient.enc(region))).get("url").asString();
    }
}
