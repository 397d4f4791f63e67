package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.api.ClusterView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "member", mixinStandardHelpOptions = true, description = "Add or remove members.",
        subcommands = {MemberCommand.Add.class, MemberCommand.Remove.class})
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
            ClusterView c = daemon.convert(daemon.post(path(name) + "/members" + q, null, Duration.ofMinutes(15)),
                    ClusterView.class);
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
}
