package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.cli.logs.LogLines;
import dev.pgfly.cli.logs.LogTail;
import dev.pgfly.node.api.LogFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Members' PostgreSQL and agent logs, each line prefixed with its member "
                + "(\"m1 | ...\" for PostgreSQL, \"m1 agent | ...\" for the agent), in time order.")
public final class LogsCommand extends ClusterCommand implements Callable<Integer> {
    private static final long FOLLOW_POLL_MILLIS = 200;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--member", paramLabel = "M", description = "Only this member's logs")
    String member;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines as they are written (Ctrl-C to stop)")
    boolean follow;

    @Option(names = {"-n", "--lines"}, defaultValue = "50",
            description = "How many of the last lines of each file to print first. Default: ${DEFAULT-VALUE}")
    int lines;

    @Option(names = "--source", defaultValue = "all",
            description = "postgres, agent or all. Default: ${DEFAULT-VALUE}")
    String source;

    private record Source(String label, LogTail tail) {
    }

    @Override
    public Integer call() throws Exception {
        if (!List.of("all", "postgres", "agent").contains(source)) {
            throw new IllegalArgumentException("--source must be postgres, agent or all, not '" + source + "'");
        }
        if (lines < 0) {
            throw new IllegalArgumentException("--lines must not be negative");
        }
        DaemonClient daemon = daemonToRead();
        String query = member == null ? "" : "?member=" + DaemonClient.enc(member);
        List<LogFile> files = daemon.convertList(daemon.get(path(name) + "/logs" + query), LogFile.class);
        List<Source> sources = new ArrayList<>();
        for (LogFile f : files) {
            if (source.equals("all") || source.equals(f.source())) {
                String label = f.source().equals("postgres") ? f.member() : f.member() + " agent";
                sources.add(new Source(label, new LogTail(Path.of(f.path()))));
            }
        }
        int width = sources.stream().mapToInt(s -> s.label().length()).max().orElse(0);
        PrintStream out = System.out;
        List<List<LogLines.Labelled>> recent = new ArrayList<>();
        for (Source s : sources) {
            recent.add(LogLines.label(s.label(), s.tail().last(lines)));
        }
        for (LogLines.Labelled l : LogLines.merge(recent)) {
            out.println(LogLines.prefixed(l.label(), width, l.line()));
        }
        out.flush();
        while (follow && !Thread.currentThread().isInterrupted()) {
            Thread.sleep(FOLLOW_POLL_MILLIS);
            for (Source s : sources) {
                for (String line : poll(s)) {
                    out.println(LogLines.prefixed(s.label(), width, line));
                }
            }
            out.flush();
        }
        return 0;
    }

    private static List<String> poll(Source s) {
        try {
            return s.tail().poll();
        } catch (IOException e) {
            return List.of(); // the file is being rotated right now: the next poll picks it up
        }
    }
}
