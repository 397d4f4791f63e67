package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.ha.FailoverPlan;
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

    @Option(names = "--dry-run", description = "Change nothing: say which member would be promoted now and why each"
            + " other member is unfit (lag, timeline, tag, region, health), from the policy the agents use")
    boolean dryRun;

    @Option(names = "--json", description = "With --dry-run: print JSON")
    boolean json;

    @Override
    public Integer call() {
        if (json && !dryRun) {
            throw new IllegalArgumentException("--json goes with --dry-run");
        }
        String query = to == null ? "" : "?to=" + DaemonClient.enc(to);
        if (dryRun) {
            return explain(query);
        }
        long started = System.currentTimeMillis();
        String primary = daemon().post(path(name) + "/switchover" + query, null, Duration.ofMinutes(3))
                .get("primary").asString();
        System.out.printf("Switched over: %s is the primary (%.1f s).%n", primary, (System.currentTimeMillis() - started) / 1000.0);
        return 0;
    }

    private int explain(String query) {
        DaemonClient daemon = daemon();
        FailoverPlan plan = daemon.convert(daemon.get(path(name) + "/failover-plan" + query), FailoverPlan.class);
        if (json) {
            printJson(plan);
            return 0;
        }
        System.out.println(plan.summary().substring(0, 1).toUpperCase() + plan.summary().substring(1) + ".");
        Table t = new Table("MEMBER", "ROLE", "FIT", "WAL", "LAG", "REGION", "PRIORITY", "REASON");
        for (FailoverPlan.Verdict v : plan.members()) {
            t.row(v.name(), v.role(), v.fit() ? "yes" : "no", v.wal() == null ? "-" : v.wal(), v.lagBytes(),
                    v.region(), v.priority(), v.reason());
        }
        System.out.print(t.render());
        return 0;
    }
}
