package dev.pgfly.cli.commands;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop every member and the proxy (data kept).")
public final class StopCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        daemon().post(path(name) + "/stop", null, Duration.ofMinutes(5));
        System.out.println("Cluster '" + name + "' stopped.");
        return 0;
    }
}
