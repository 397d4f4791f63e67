package dev.pgfly.cli.commands;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "pause", mixinStandardHelpOptions = true,
        description = {"Maintenance mode: while paused, no member is promoted, demoted, rewound or re-cloned, and"
                + " PostgreSQL processes are left as they are; agents keep observing and reporting. A primary that"
                + " dies meanwhile is reported, not replaced. 'pgfly resume NAME' (or the end of --for) ends it."})
public final class PauseCommand extends ClusterCommand implements Callable<Integer> {
    private static final Pattern LENGTH = Pattern.compile("(\\d{1,6})(s|m|h|d)");

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--for", paramLabel = "DURATION", description = "End the pause by itself after this long:"
            + " 90s, 30m, 2h, 1d (at most 7d). Default: until 'pgfly resume'")
    String length;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() {
        String query = length == null ? "" : "?for_seconds=" + parse(length).toSeconds();
        JsonNode answer = daemon().post(path(name) + "/pause" + query, null, Duration.ofSeconds(30));
        return print(answer, json);
    }

    /** "30m" and the like; anything else is refused with the forms that work. */
    static Duration parse(String text) {
        Matcher m = LENGTH.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--for takes a number and a unit (s, m, h, d), e.g. 30m, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero() || d.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("--for must be from 1s to 7d; for longer, pause without --for");
        }
        return d;
    }

    /** The daemon's answer about a pause, as a sentence or JSON. */
    static int print(JsonNode answer, boolean json) {
        if (json) {
            printJson(answer);
            return 0;
        }
        String cluster = answer.get("cluster").asString();
        if (!answer.get("paused").asBoolean()) {
            System.out.println("Cluster " + cluster + " is not paused: failover and recovery are automatic.");
            return 0;
        }
        long until = answer.get("until").asLong();
        System.out.println("Cluster " + cluster + " is paused " + (until == 0 ? "until 'pgfly resume " + cluster + "'"
                : "until " + Instant.ofEpochMilli(until)) + ": no member is promoted, demoted, rewound or re-cloned.");
        return 0;
    }
}
