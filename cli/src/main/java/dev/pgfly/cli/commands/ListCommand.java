package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.api.ClusterView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List clusters with their state and members.")
public final class ListCommand extends ClusterCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        dev.pgfly.node.home.PgflyHome home = dev.pgfly.node.home.PgflyHome.resolve();
        java.util.Optional<DaemonClient> running = new DaemonClient(home).ifAnythingRuns();
        if (running.isEmpty()) {
            // Nothing is a valid answer to "which clusters?": say it, and where, without starting a daemon.
            System.out.println(json ? "[]" : "No clusters at " + home.root() + ", and no daemon runs there"
                    + " ('pgfly create NAME' makes one).");
            return 0;
        }
        DaemonClient daemon = running.get();
        List<ClusterView> clusters = daemon.convertList(daemon.get("/v1/clusters"), ClusterView.class);
        if (json) {
            printJson(clusters);
            return 0;
        }
        Table t = new Table("NAME", "CONFIG", "STATE", "MEMBERS", "PRIMARY", "PROXY");
        for (ClusterView c : clusters) {
            long up = c.members().stream().filter(m -> "running".equals(m.state())).count();
            t.row(c.name(), c.config(), c.state(), up + "/" + c.members().size(), c.leader(), c.proxy().primary());
        }
        System.out.print(t.render());
        return 0;
    }
}
