package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = "Stop a cluster and delete all its data and state. Needs --yes.")
public final class DestroyCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--yes", description = "Really delete everything of the cluster")
    boolean yes;

    @Override
    public Integer call() {
        if (!yes) {
            throw new CliException("destroy deletes every database of '" + name + "': repeat with --yes");
        }
        daemon().delete(path(name), Duration.ofMinutes(5));
        System.out.println("Cluster '" + name + "' destroyed.");
        return 0;
    }
}
