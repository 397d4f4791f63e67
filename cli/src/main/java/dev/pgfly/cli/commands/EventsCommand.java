package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.model.Event;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = "The cluster's history: failovers, switchovers, rejoins, membership changes.")
public final class EventsCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--limit", defaultValue = "50", description = "How many, newest last. Default: ${DEFAULT-VALUE}")
    int limit;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        DaemonClient daemon = daemonToRead();
        List<Event> events = daemon.convertList(daemon.get(path(name) + "/events?limit=" + limit), Event.class);
        if (json) {
            printJson(events);
            return 0;
        }
        Table t = new Table("TIME", "KIND", "MEMBER", "TERM", "REASON");
        for (Event e : events) {
            t.row(Instant.ofEpochMilli(e.time()).toString(), e.kind(), e.member(), e.term(), e.reason());
        }
        System.out.print(t.render());
        return 0;
    }
}
