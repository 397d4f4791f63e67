package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.api.RestartResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Rolling restart: replicas one at a time (each streams again before the next), then a planned "
                + "switchover, then the former primary. Writers see one switchover pause.",
                "Without --force only members with a pending restart (a changed setting) are restarted; "
                        + "when none has one, nothing is done."})
public final class RestartCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--force", description = "Restart every member, pending restart or not")
    boolean force;

    @Option(names = "--member", paramLabel = "MEMBER", description = "Restart only this member (a primary is switched over first)")
    String member;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        DaemonClient daemon = daemon();
        String query = "?force=" + force + (member == null ? "" : "&member=" + DaemonClient.enc(member));
        RestartResult result = daemon.convert(daemon.post(path(name) + "/restart" + query, null, Duration.ofMinutes(30)),
                RestartResult.class);
        if (json) {
            printJson(result);
            return 0;
        }
        if (result.steps().isEmpty()) {
            System.out.println("Nothing restarted: " + result.note());
            return 0;
        }
        for (RestartResult.Step s : result.steps()) {
            System.out.printf("  %-40s %.1f s%n", s.action(), s.millis() / 1000.0);
        }
        if (result.note() != null) {
            System.out.println(result.note());
        }
        System.out.println("Rolling restart of '" + name + "' done; primary: " + result.primary() + ".");
        return 0;
    }
}
