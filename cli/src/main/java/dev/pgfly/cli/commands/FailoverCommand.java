package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Planned switchover: hand the primary role to another member without losing a transaction.")
public final class FailoverCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--to", paramLabel = "MEMBER", description = "The new primary (default: the best replica)")
    String to;

    @Override
    public Integer call() {
        long started = System.currentTimeMillis();
        String query = to == null ? "" : "?to=" + DaemonClient.enc(to);
        String primary = daemon().post(path(name) + "/switchover" + query, null, Duration.ofMinutes(3))
                .get("primary").asString();
        System.out.printf("Switched over: %s is the primary (%.1f s).%n", primary, (System.currentTimeMillis() - started) / 1000.0);
        return 0;
    }
}
