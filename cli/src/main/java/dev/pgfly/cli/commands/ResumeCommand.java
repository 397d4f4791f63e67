package dev.pgfly.cli.commands;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "End a pause ('pgfly pause'): failover and recovery are automatic again at once.")
public final class ResumeCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        return PauseCommand.print(daemon().post(path(name) + "/resume", null, Duration.ofSeconds(30)), json);
    }
}
