package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.api.RestartResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "upgrade", mixinStandardHelpOptions = true,
        description = {"Switch the cluster to other PostgreSQL binaries of the same major version (a minor "
                + "release, a rebuilt image), member by member: replicas one at a time (each streams again "
                + "before the next), then a planned switchover, then the former primary. Writers see one "
                + "switchover pause and lose no acknowledged write.",
                "Another major version is refused: that needs pg_upgrade, which pgfly does not do yet."})
public final class UpgradeCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--pg-bin", paramLabel = "DIR", required = true,
            description = "Directory of the new PostgreSQL server binaries (postgres, initdb, ...)")
    String pgBin;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        DaemonClient daemon = daemon();
        // The daemon has a working directory of its own: send an absolute path.
        String dir = Path.of(pgBin).toAbsolutePath().normalize().toString();
        RestartResult result;
        try (ProgressSteps steps = EventProgress.show(path(name), json)) {
            result = daemon.convert(daemon.post(path(name) + "/upgrade?pg_bin=" + DaemonClient.enc(dir), null,
                    Duration.ofMinutes(30)), RestartResult.class);
        }
        if (json) {
            printJson(result);
            return 0;
        }
        for (RestartResult.Step s : result.steps()) {
            System.out.printf("  %-40s %.1f s%n", s.action(), s.millis() / 1000.0);
        }
        System.out.println("Upgrade of '" + name + "' done: every member runs PostgreSQL from " + dir
                + "; primary: " + result.primary() + ".");
        return 0;
    }
}
