package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.api.ClusterView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "member", mixinStandardHelpOptions = true, description = "Add, tag or remove members.",
        subcommands = {MemberCommand.Add.class, MemberCommand.Update.class, MemberCommand.Remove.class})
public final class MemberCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Clone a new replica into the cluster.")
    public static final class Add extends ClusterCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--region", description = "Region of the new member (default: the primary region)")
        String region;

        @Option(names = "--node", paramLabel = "NODE", description = "In an installation of several nodes: the node to run it on (default: chosen by placement)")
        String node;

        @Option(names = "--same-host", description = "Allow the new member on a node that already runs one of the cluster's members")
        boolean sameHost;

        @Override
        public Integer call() {
            DaemonClient daemon = daemon();
            java.util.List<String> params = new java.util.ArrayList<>();
            if (region != null) {
                params.add("region=" + DaemonClient.enc(region));
            }
            if (node != null) {
                params.add("node=" + DaemonClient.enc(node));
            }
            if (sameHost) {
                params.add("same_host=true");
            }
            String q = params.isEmpty() ? "" : "?" + String.join("&", params);
            ClusterView c;
            try (ProgressSteps steps = EventProgress.show(path(name), false)) {
                c = daemon.convert(daemon.post(path(name) + "/members" + q, null, Duration.ofMinutes(15)), ClusterView.class);
            }
            System.out.println("Member added to '" + name + "'.");
            printMembers(System.out, c);
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a member (a primary is switched over first); its replication slot is dropped.")
    public static final class Remove extends ClusterCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "MEMBER")
        String member;

        @Override
        public Integer call() {
            DaemonClient daemon = daemon();
            ClusterView c = daemon.convert(daemon.delete(path(name) + "/members/" + DaemonClient.enc(member),
                    Duration.ofMinutes(5)), ClusterView.class);
            System.out.println("Member " + member + " removed from '" + name + "'.");
            printMembers(System.out, c);
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = {"Change a member's tags: whether it may be promoted, whether it may be a synchronous standby,",
                    "and its priority among equally fit candidates. Agents apply them on their next cycle."})
    public static final class Update extends ClusterCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "MEMBER")
        String member;

        @Option(names = "--failover", negatable = true,
                description = "--no-failover: never promote this member (Patroni's nofailover tag); --failover undoes it")
        Boolean failover;

        @Option(names = "--sync", negatable = true,
                description = "--no-sync: never make this member a synchronous standby; --sync undoes it")
        Boolean sync;

        @Option(names = "--failover-priority", paramLabel = "N",
                description = "Among candidates at the same WAL position the highest wins (0..1000, default 100)")
        Integer priority;

        @Option(names = "--json", description = "Print the cluster's status as JSON")
        boolean json;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            if (priority != null) {
                body.put("failover_priority", priority);
            }
            if (failover != null) {
                body.put("no_failover", !failover);
            }
            if (sync != null) {
                body.put("no_sync", !sync);
            }
            // The same one-line refusal as the daemon's, before a daemon is even asked.
            new dev.pgfly.node.api.MemberTagsUpdate(priority, failover == null ? null : !failover,
                    sync == null ? null : !sync).validate();
            DaemonClient daemon = daemon();
            ClusterView c = daemon.convert(daemon.post(path(name) + "/members/" + DaemonClient.enc(member), body,
                    Duration.ofMinutes(1)), ClusterView.class);
            if (json) {
                printJson(c);
                return 0;
            }
            System.out.println("Member " + member + " of '" + name + "' updated.");
            printMembers(System.out, c);
            return 0;
        }
    }
}
