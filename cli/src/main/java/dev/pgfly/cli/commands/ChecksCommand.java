package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.AgentClient;
import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "checks", mixinStandardHelpOptions = true,
        description = "Every member's health checks: pg (answers queries), role (primary, or replica streaming "
                + "from the leader), vm (disk, memory, load); each passing, warning or critical.")
public final class ChecksCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        DaemonClient daemon = daemonToRead();
        ClusterView c = daemon.convert(daemon.get(path(name)), ClusterView.class);
        List<MemberChecks> all = new AgentClient().checks(c.members());
        if (json) {
            printJson(all);
            return 0;
        }
        Table t = new Table("MEMBER", "CHECK", "STATUS", "OUTPUT");
        for (MemberChecks m : all) {
            for (MemberChecks.Check check : m.checks()) {
                t.row(m.member(), check.name(), check.status(), check.output());
            }
        }
        System.out.print(t.render());
        return 0;
    }
}
