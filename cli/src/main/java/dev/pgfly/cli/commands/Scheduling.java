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

    /**
     * Sends a request carrying {@code at=} (see {@link #atParameter}) and says what was scheduled.
     *
     * @param pathAndQuery the operation's API path and query, the {@code at=} parameter included
     */
    static int schedule(DaemonClient daemon, String cluster, String pathAndQuery, boolean json) {
        ScheduledOperation op = daemon.convert(daemon.post(pathAndQuery, null, Duration.ofSeconds(30)).get("scheduled"),
                ScheduledOperation.class);
        if (json) {
            ClusterCommand.printJson(op);
            return 0;
        }
        System.out.println("Scheduled: " + op.describe() + " (" + local(op.at()) + " here), in "
                + human(Duration.ofMillis(Math.max(0, op.at() - System.currentTimeMillis()))) + ".");
        System.out.println("It runs on whichever node of '" + cluster + "' takes it then; cancel with: "
                + cancelCommand(op.kind(), cluster));
        return 0;
    }

    /** The command that cancels a scheduled operation of that kind. */
    static String cancelCommand(ScheduledOperation.Kind kind, String cluster) {
        String command = switch (kind) {
            case SWITCHOVER -> "failover";
            case RESTART -> "restart";
        };
        return "pgfly " + command + " " + cluster + " --cancel";
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
