package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.api.ClusterView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "haproxy", mixinStandardHelpOptions = true,
        description = "Print an HAProxy configuration for a cluster: a primary and a replicas listener, one server per"
                + " member, health-checked on the members' agent APIs (OPTIONS /primary, OPTIONS /replica).")
public final class HaproxyCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--primary-port", defaultValue = "5000",
            description = "Where HAProxy listens for the primary. Default: ${DEFAULT-VALUE}")
    int primaryPort;

    @Option(names = "--replica-port", defaultValue = "5001",
            description = "Where HAProxy listens for the replicas. Default: ${DEFAULT-VALUE}")
    int replicaPort;

    @Override
    public Integer call() {
        DaemonClient daemon = daemon();
        ClusterView c = daemon.convert(daemon.get(path(name)), ClusterView.class);
        HaproxyConfig config = new HaproxyConfig(c.name(), primaryPort, replicaPort,
                c.members().stream().map(HaproxyConfig.Server::of).toList());
        System.out.print(config.render());
        return 0;
    }
}
