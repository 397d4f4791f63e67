package dev.pgfly.cli.commands;

import dev.pgfly.cli.api.ClusterView;
import dev.pgfly.cli.client.DaemonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a cluster and its members.")
public final class StatusCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        DaemonClient daemon = daemon();
        ClusterView c = daemon.convert(daemon.get(path(name)), ClusterView.class);
        if (json) {
            printJson(c);
            return 0;
        }
        System.out.printf("Cluster %s (%s): %s, term %d, primary %s, region %s%s%n", c.name(), c.config(), c.state(),
                c.term(), c.leader() == null ? "none" : c.leader(), c.primaryRegion(),
                c.synchronous() ? ", synchronous replication" : "");
        for (ClusterView.Proxy p : c.proxies() == null ? java.util.List.of(c.proxy()) : c.proxies()) {
            System.out.printf("Proxy%s: primary %s, replicas %s%n", p.region() == null ? "" : " (" + p.region() + ")",
                    p.primary(), p.replica());
        }
        if (c.idleTimeoutSeconds() > 0) {
            System.out.printf("Scale to zero: PostgreSQL stops after %d s without clients; a connection wakes it%n",
                    c.idleTimeoutSeconds());
        }
        System.out.println();
        printMembers(System.out, c);
        return 0;
    }
}
