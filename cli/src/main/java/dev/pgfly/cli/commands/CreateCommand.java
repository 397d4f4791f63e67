package dev.pgfly.cli.commands;

import dev.pgfly.cli.api.CreateRequest;
import dev.pgfly.cli.api.CreateResult;
import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.util.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a cluster and start it; prints its members and connection URL.")
public final class CreateCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster name: [a-z][a-z0-9-]{0,62}")
    String name;

    @Option(names = "--config", defaultValue = "dev", description = "dev (one member) or ha (three members). Default: ${DEFAULT-VALUE}")
    String config;

    @Option(names = "--members", description = "Number of members (default 1 for dev, 3 for ha)")
    int members;

    @Option(names = "--region", defaultValue = "local", description = "Primary region. Default: ${DEFAULT-VALUE}")
    String region;

    @Option(names = "--sync", description = "Synchronous replication: no acknowledged write is ever lost")
    boolean sync;

    @Option(names = "--port", description = "Proxy port for the primary (the next one serves replicas)")
    int port;

    @Option(names = "--pg-bin", description = "Directory with the PostgreSQL server binaries")
    String pgBin;

    @Option(names = "--scale-to-zero", description = "Dev clusters: stop PostgreSQL when no client is connected for"
            + " the idle timeout; the proxy starts it again when a client connects")
    boolean scaleToZero;

    @Option(names = "--idle-timeout", defaultValue = "5m", paramLabel = "DURATION",
            description = "With --scale-to-zero: how long without clients before stopping (30s, 5m, 1h). Default: ${DEFAULT-VALUE}")
    String idleTimeout;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        long idleSeconds = 0;
        if (scaleToZero) {
            idleSeconds = Durations.parse(idleTimeout).toSeconds();
            if (idleSeconds < 1) {
                throw new IllegalArgumentException("--idle-timeout must be at least 1s");
            }
        }
        DaemonClient daemon = daemon();
        CreateResult result = daemon.convert(daemon.post("/v1/clusters",
                new CreateRequest(name, config, region, members, sync, port, pgBin, idleSeconds), Duration.ofMinutes(5)),
                CreateResult.class);
        if (json) {
            printJson(result);
            return 0;
        }
        System.out.printf("Created %s cluster '%s' in %.1f s.%n%n", result.cluster().config(), name,
                result.millis() / 1000.0);
        printMembers(System.out, result.cluster());
        System.out.println();
        System.out.println("Connection URL (through the proxy; the password is shown only here and by 'pgfly url'):");
        System.out.println("  " + result.url());
        System.out.println();
        System.out.println("Connect with: pgfly connect " + name);
        return 0;
    }
}
