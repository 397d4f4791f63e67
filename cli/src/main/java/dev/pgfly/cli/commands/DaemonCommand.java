package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.util.Durations;
import dev.pgfly.node.Daemon;
import dev.pgfly.node.api.DaemonInfo;
import dev.pgfly.node.home.PgflyHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "The local platform: embedded ZooKeeper, agents and proxies. Started on demand by other commands.",
        subcommands = {DaemonCommand.Run.class, DaemonCommand.Stop.class, DaemonCommand.Status.class,
                DaemonCommand.RestartZooKeeper.class})
public final class DaemonCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the daemon in the foreground.")
    public static final class Run implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Daemon.run(PgflyHome.resolve());
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop the daemon and every cluster it runs (they come back when it starts again).")
    public static final class Stop implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            DaemonClient client = new DaemonClient(PgflyHome.resolve());
            Optional<DaemonInfo> info = client.running();
            if (info.isEmpty()) {
                System.out.println("The daemon is not running.");
                return 0;
            }
            client.post("/v1/shutdown", null, Duration.ofSeconds(10));
            ProcessHandle handle = ProcessHandle.of(info.get().pid()).orElse(null);
            if (handle != null && !handle.onExit().completeOnTimeout(null, 180, java.util.concurrent.TimeUnit.SECONDS)
                    .thenApply(h -> !handle.isAlive()).join()) {
                throw new CliException("the daemon (pid " + info.get().pid() + ") did not stop within 180 s");
            }
            System.out.println("Daemon stopped.");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Whether the daemon runs, and where.")
    public static final class Status implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() {
            Optional<DaemonInfo> info = new DaemonClient(PgflyHome.resolve()).running();
            if (json) {
                ClusterCommand.printJson(info.orElse(null));
            } else {
                System.out.println(info.map(i -> "running: pid " + i.pid() + ", API 127.0.0.1:" + i.port()
                        + ", coordination " + i.dcs()).orElse("not running"));
            }
            return info.isPresent() ? 0 : 3;
        }
    }

    @Command(name = "restart-zookeeper", mixinStandardHelpOptions = true,
            description = {"Restart the embedded ZooKeeper: a fault drill for the coordination store.",
                    "A primary that cannot reach it stops taking writes when its lease runs out; an outage"
                            + " longer than the session timeout (5 s) ends every session and forces a new election."})
    public static final class RestartZooKeeper implements Callable<Integer> {
        @Option(names = "--down", defaultValue = "0s", paramLabel = "DURATION",
                description = "How long ZooKeeper stays down (at most 60s), e.g. 3s or 500ms. Default: ${DEFAULT-VALUE}")
        String down;

        @Override
        public Integer call() {
            Duration duration = Durations.parse(down);
            if (duration.toMillis() > 60_000) {
                throw new CliException("--down must be at most 60s");
            }
            DaemonClient client = new DaemonClient(PgflyHome.resolve());
            if (client.running().isEmpty()) {
                throw new CliException("the daemon is not running");
            }
            client.post("/v1/zookeeper/restart?down_ms=" + duration.toMillis(), null, duration.plusSeconds(30));
            System.out.println("ZooKeeper restarted after " + duration.toMillis() + " ms down.");
            return 0;
        }
    }
}
