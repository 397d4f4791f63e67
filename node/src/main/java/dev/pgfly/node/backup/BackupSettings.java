package dev.pgfly.node.backup;

import dev.pgfly.backup.DurationText;
import dev.pgfly.backup.Schedule;
import dev.pgfly.backup.store.StoreSettings;

import java.time.Duration;

/**
 * A cluster's backup settings ({@code clusters/NAME/backup.json}, mode 0600): where its snapshots and
 * WAL go (already the cluster's own location), when snapshots are taken and how long they are kept.
 */
public record BackupSettings(StoreSettings store, String schedule, String retention) {
    public static final String DEFAULT_SCHEDULE = "daily 03:00";
    public static final String DEFAULT_RETENTION = "5d";

    public BackupSettings {
        schedule = schedule == null ? DEFAULT_SCHEDULE : Schedule.parse(schedule).toString();
        retention = retention == null ? DEFAULT_RETENTION : retention.strip().toLowerCase();
        DurationText.parse(retention);
    }

    public Schedule parsedSchedule() {
        return Schedule.parse(schedule);
    }

    public Duration retentionWindow() {
        return DurationText.parse(retention);
    }
}
