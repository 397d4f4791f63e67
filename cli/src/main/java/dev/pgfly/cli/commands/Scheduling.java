package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.model.ScheduledOperation;
import dev.pgfly.core.util.ScheduleTimes;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * {@code --at} and {@code --cancel}, shared by {@code failover} and {@code restart}. The moment is read here, in the
 * user's time zone (a "17:00" means the user's five o'clock, not the node's), and goes to the node as an instant.
 */
final class Scheduling {
    private Scheduling() {
    }

    /** The {@code at=} query parameter for {@code --at TIME}. */
    static String atParameter(String at) {
        return "at=" + ScheduleTimes.parse(at, Instant.now(), ZoneId.systemDefault()).toEpochMilli();
    }

    static int printScheduled(DaemonClient daemon, tools.jackson.databind.JsonNode answer, String cluster,
                              String cancelCommand, boolean json) {
        ScheduledOperation op = daemon.convert(answer.get("scheduled"), ScheduledOperation.class);
        if (json) {
            ClusterCommand.printJson(op);
            return 0;
        }
        System.out.println("Scheduled: " + op.describe() + " (" + local(op.at()) + " here), in "
                + human(Duration.ofMillis(Math.max(0, op.at() - System.currentTimeMillis()))) + ".");
        System.out.println("It runs on whichever node of '" + cluster + "' takes it then; cancel with: " + cancelCommand);
        return 0;
    }

    static int cancel(DaemonClient daemon, String clusterPath, ScheduledOperation.Kind kind, boolean json) {
        ScheduledOperation op = daemon.convert(daemon.delete(clusterPath + "/scheduled/" + kind.label(),
                Duration.ofSeconds(30)).get("cancelled"), ScheduledOperation.class);
        if (json) {
            ClusterCommand.printJson(op);
        } else {
            System.out.println("Cancelled: " + op.describe() + ".");
        }
        return 0;
    }

    private static String local(long at) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").format(Instant.ofEpochMilli(at).atZone(ZoneId.systemDefault()));
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + " s" : s < 7200 ? (s / 60) + " min" : s < 172_800 ? (s / 3600) + " h " + (s % 3600 / 60) + " min"
                : (s / 86_400) + " days";
    }
}
