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

    @Option(names = "--at", paramLabel = "TIME", description = "Later, not now: 2026-12-07T03:00:00Z, 2026-12-07T03:00"
            + " or 03:00 (your time zone), or +10m. Kept in the store: any node runs it, even if this one is gone")
    String at;

    @Option(names = "--cancel", description = "Cancel the scheduled restart")
    boolean cancel;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        if (cancel && (at != null || force || member != null)) {
            throw new IllegalArgumentException("--cancel goes alone: it cancels the scheduled restart");
        }
        if (cancel) {
            return Scheduling.cancel(daemon(), path(name), dev.pgfly.core.model.ScheduledOperation.Kind.RESTART, json);
        }
        String query = "?force=" + force + (member == null ? "" : "&member=" + DaemonClient.enc(member));
        if (at != null) {
            // The moment first: a time that cannot be read is refused before any daemon is asked (or started).
            String when = Scheduling.atParameter(at);
            return Scheduling.schedule(daemon(), name, path(name) + "/restart" + query + "&" + when, json);
        }
        DaemonClient daemon = daemon();
        RestartResult result;
        try (ProgressSteps steps = EventProgress.show(path(name), json)) {
            result = daemon.convert(daemon.post(path(name) + "/restart" + query, null, Duration.ofMinutes(30)),
                    RestartResult.class);
        }
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
