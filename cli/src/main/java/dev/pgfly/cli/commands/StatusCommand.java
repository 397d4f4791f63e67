package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.AgentClient;
import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberChecks;
import dev.pgfly.node.api.MemberView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a cluster and its members.")
public final class StatusCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        DaemonClient daemon = daemonToRead();
        ClusterView c = withChecks(daemon.convert(daemon.get(path(name)), ClusterView.class));
        if (json) {
            printJson(c);
            return 0;
        }
        System.out.printf("Cluster %s (%s): %s, term %d, primary %s, region %s%s%n", c.name(), c.config(), c.state(),
                c.term(), c.leader() == null ? "none" : c.leader(), c.primaryRegion(),
                c.synchronous() ? ", synchronous replication" : "");
        if (c.paused() != null) {
            System.out.println("Paused: " + c.paused().substring("paused ".length())
                    + " - no member is promoted, demoted, rewound or re-cloned ('pgfly resume " + c.name() + "')");
        }
        for (dev.pgfly.core.model.ScheduledOperation op : c.scheduled()) {
            System.out.println("Scheduled: " + op.describe() + " (requested on node " + op.requestedOn() + "; cancel: "
                    + Scheduling.cancelCommand(op.kind(), c.name()) + ")");
        }
        for (ClusterView.Proxy p : c.proxies() == null ? java.util.List.of(c.proxy()) : c.proxies()) {
            System.out.printf("Proxy%s: primary %s, replicas %s%n", p.region() == null ? "" : " (" + p.region() + ")",
                    p.primary(), p.replica());
            if (p.pooled() != null) {
                System.out.printf("Pooled: %s (PgBouncer, %s pooling; 'pgfly url %s --pooled')%n", p.pooled(), p.poolMode(),
                        c.name());
            }
        }
        System.out.println(c.tls() ? "TLS: on (TLS connections only; the CA: pgfly cert " + c.name() + ")" : "TLS: off");
        if (c.idleTimeoutSeconds() > 0) {
            System.out.printf("Scale to zero: PostgreSQL stops after %d s without clients; a connection wakes it%n",
                    c.idleTimeoutSeconds());
        }
        System.out.println();
        printMembers(System.out, c);
        return 0;
    }

    /** Each member's worst health check, asked of the agents themselves; none for a stopped cluster. */
    private static ClusterView withChecks(ClusterView c) {
        if ("stopped".equals(c.state())) {
            return c;
        }
        List<MemberChecks> checks = new AgentClient().checks(c.members());
        List<MemberView> members = new ArrayList<>();
        for (int i = 0; i < c.members().size(); i++) {
            members.add(c.members().get(i).withChecks(checks.get(i).status()));
        }
        return c.withMembers(members);
    }
}
