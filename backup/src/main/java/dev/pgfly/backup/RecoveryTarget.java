package dev.pgfly.backup;

import dev.pgfly.core.model.Lsn;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a restore stops: the end of the archive (latest), a moment, or a WAL position. The settings
 * it renders make PostgreSQL promote once there, so the restored cluster starts a timeline of its own.
 */
public sealed interface RecoveryTarget {

    record Latest() implements RecoveryTarget {
    }

    record AtTime(Instant time) implements RecoveryTarget {
    }

    record AtLsn(long lsn) implements RecoveryTarget {
    }

    /**
     * Only the snapshot itself: what verify and a fork restore. The snapshot carries every WAL segment
     * from its start to its end ({@code pg_basebackup -X stream}), so recovery reads no archive and
     * promotes where that WAL ends, which is at or just past the snapshot's consistent point.
     *
     * <p>Not {@code recovery_target = 'immediate'}: PostgreSQL stops there only on reading the record
     * after the consistent point. A replica's snapshot taken right after a WAL switch ends exactly on a
     * segment boundary, that record is in a segment no archive holds yet, and recovery fails with
     * "recovery ended before configured recovery target was reached".
     */
    record SnapshotEnd() implements RecoveryTarget {
    }

    /**
     * From the two command-line options; at most one may be given. Times need a zone: ISO-8601 such
     * as {@code 2025-01-02T03:04:05Z} or {@code 2025-01-02 03:04:05.123+01:00}.
     */
    static RecoveryTarget parse(String time, String lsn) {
        if (time != null && lsn != null) {
            throw new IllegalArgumentException("give --target-time or --target-lsn, not both");
        }
        if (time != null) {
            return new AtTime(parseTime(time));
        }
        if (lsn != null) {
            if (!lsn.strip().matches("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")) {
                throw new IllegalArgumentException("bad LSN '" + lsn + "': use the form 16/B374D848");
            }
            return new AtLsn(Lsn.parse(lsn.strip()));
        }
        return new Latest();
    }

    static Instant parseTime(String text) {
        String t = text.strip().replace(' ', 'T');
        // PostgreSQL prints "+00" offsets; ISO wants "+00:00".
        if (t.matches(".*[+-]\\d{2}$")) {
            t = t + ":00";
        }
        try {
            return OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime.parse(t);
                throw new IllegalArgumentException("time '" + text + "' has no time zone: add one, e.g. "
                        + text.strip() + "Z for UTC or +02:00");
            } catch (DateTimeParseException ignored) {
                throw new IllegalArgumentException("bad time '" + text + "': use ISO-8601 with a zone, e.g. 2025-01-02T03:04:05Z");
            }
        }
    }

    /** The recovery_target_* settings for PostgreSQL; recovery then promotes. */
    default Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        switch (this) {
            case AtTime t -> s.put("recovery_target_time", DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSx")
                    .withZone(ZoneOffset.UTC).format(t.time()));
            case AtLsn l -> s.put("recovery_target_lsn", Lsn.format(l.lsn()));
            case SnapshotEnd e -> {
                return s;
            }
            case Latest l -> {
                return s;
            }
        }
        s.put("recovery_target_action", "promote");
        return s;
    }

    /** Whether recovery fetches WAL from the archive, or only replays what the snapshot holds. */
    default boolean readsArchive() {
        return !(this instanceof SnapshotEnd);
    }

    default String describe() {
        return switch (this) {
            case AtTime t -> "time " + t.time();
            case AtLsn l -> "LSN " + Lsn.format(l.lsn());
            case SnapshotEnd e -> "the end of the snapshot";
            case Latest l -> "the end of the archive";
        };
    }

    /**
     * The snapshot to restore from: the requested one (which must end before the target), or the newest
     * one that ends at or before the target. Pure, so unit-tested.
     */
    default SnapshotManifest chooseSnapshot(List<SnapshotManifest> snapshots, Optional<String> requestedId) {
        if (requestedId.isPresent()) {
            SnapshotManifest s = snapshots.stream().filter(m -> m.id().equals(requestedId.get())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no snapshot '" + requestedId.get() + "'"));
            if (!endsBefore(s)) {
                throw new IllegalArgumentException("snapshot " + s.id() + " ends after the target " + describe()
                        + ": choose an older snapshot or a later target");
            }
            return s;
        }
        return snapshots.stream().filter(this::endsBefore)
                .max(java.util.Comparator.comparing(SnapshotManifest::endTime))
                .orElseThrow(() -> new IllegalArgumentException(snapshots.isEmpty()
                        ? "there is no snapshot to restore from: take one with 'pgfly backup create'"
                        : "no snapshot ends before the target " + describe() + " (the oldest ends at "
                        + snapshots.stream().map(SnapshotManifest::endTime).min(Instant::compareTo).orElseThrow() + ")"));
    }

    private boolean endsBefore(SnapshotManifest s) {
        return switch (this) {
            case AtTime t -> !s.endTime().isAfter(t.time());
            case AtLsn l -> Long.compareUnsigned(s.endLsnValue(), l.lsn()) <= 0;
            case Latest l -> true;
            case SnapshotEnd e -> true;
        };
    }
}
