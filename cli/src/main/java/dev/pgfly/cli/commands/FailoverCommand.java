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

    @Option(names = "--at", paramLabel = "TIME", description = "Later, not now: 2026-12-07T17:00:00Z, 2026-12-07T17:00"
            + " or 17:00 (your time zone), or +10m. Kept in the store: any node runs it, even if this one is gone")
    String at;

    @Option(names = "--cancel", description = "Cancel the scheduled switchover")
    boolean cancel;

    @Option(names = "--allow-other-region", description = "Disaster recovery: promote --to MEMBER of another region"
            + " when no member of the primary region can lead; its region becomes the primary region. Refused while"
            + " the primary region has a fit candidate. Commits it had not received are lost")
    boolean allowOtherRegion;

    @Option(names = "--json", description = "With --dry-run, --at or --cancel: print JSON")
    boolean json;

    @Override
    public Integer call() {
        if (json && !dryRun && at == null && !cancel && !allowOtherRegion) {
            throw new IllegalArgumentException("--json goes with --dry-run, --at, --cancel or --allow-other-region");
        }
        if (cancel && (at != null || to != null || dryRun)) {
            throw new IllegalArgumentException("--cancel goes alone: it cancels the scheduled switchover");
        }
        if (at != null && dryRun) {
            throw new IllegalArgumentException("--dry-run explains a switchover now, not at --at");
        }
        if (allowOtherRegion && (to == null || at != null || dryRun || cancel)) {
            throw new IllegalArgumentException("--allow-other-region needs --to MEMBER, and goes without --at, --dry-run and --cancel");
        }
        if (allowOtherRegion) {
            return otherRegion();
        }
        if (cancel) {
            return Scheduling.cancel(daemon(), path(name), dev.pgfly.core.model.ScheduledOperation.Kind.SWITCHOVER, json);
        }
        String query = to == null ? "" : "?to=" + DaemonClient.enc(to);
        if (dryRun) {
            return explain(query);
        }
        if (at != null) {
            // The moment first: a time that cannot be read is refused before any daemon is asked (or started).
            String when = Scheduling.atParameter(at);
            return Scheduling.schedule(daemon(), name, path(name) + "/switchover" + (query.isEmpty() ? "?" : query + "&")
                    + when, json);
        }
        long started = System.currentTimeMillis();
        String primary = daemon().post(path(name) + "/switchover" + query, null, Duration.ofMinutes(3))
                .get("primary").asString();
        System.out.printf("Switched over: %s is the primary (%.1f s).%n", primary, (System.currentTimeMillis() - started) / 1000.0);
        return 0;
    }

    private int otherRegion() {
        DaemonClient daemon = daemon();
        dev.pgfly.node.api.RegionFailoverResult r = daemon.convert(daemon.post(path(name) + "/switchover?to="
                + DaemonClient.enc(to) + "&allow_other_region=true", null, Duration.ofMinutes(3)),
                dev.pgfly.node.api.RegionFailoverResult.class);
        if (json) {
            printJson(r);
            return 0;
        }
        System.out.printf("Failed over to %s (term %d): the primary region is now %s (was %s).%n", r.primary(), r.term(),
                r.primaryRegion(), r.formerRegion());
        System.out.println("Commits of " + r.formerRegion() + " after " + r.replayedTo() + " (what " + r.primary()
                + " had replayed) are lost; members of " + r.formerRegion() + " rejoin as replicas when they return.");
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
