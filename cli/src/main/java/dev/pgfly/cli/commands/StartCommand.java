package dev.pgfly.cli.commands;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "start", mixinStandardHelpOptions = true, description = "Start a stopped cluster (data kept).")
public final class StartCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        daemon().post(path(name) + "/start", null, Duration.ofMinutes(5));
        System.out.println("Cluster '" + name + "' started.");
        return 0;
    }
}
