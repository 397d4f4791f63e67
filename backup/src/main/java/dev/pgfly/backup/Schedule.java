package dev.pgfly.backup;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When snapshots are taken: {@code daily HH:MM} (in the daemon's time zone), {@code hourly}, or
 * {@code off}. A snapshot is due when none was taken since the latest scheduled moment.
 */
public record Schedule(Kind kind, LocalTime at) {
    public enum Kind { DAILY, HOURLY, OFF }

    public static final Schedule DEFAULT = new Schedule(Kind.DAILY, LocalTime.of(3, 0));

    public static Schedule parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase().replaceAll("\\s+", " ");
        if (t.equals("off") || t.equals("none")) {
            return new Schedule(Kind.OFF, null);
        }
        if (t.equals("hourly")) {
            return new Schedule(Kind.HOURLY, null);
        }
        if (t.equals("daily")) {
            return DEFAULT;
        }
        if (t.startsWith("daily ")) {
            try {
                return new Schedule(Kind.DAILY, LocalTime.parse(t.substring(6)));
            } catch (DateTimeParseException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("bad schedule '" + text + "': use \"daily HH:MM\", \"hourly\" or \"off\"");
    }

    /** The latest scheduled moment at or before {@code now}; empty when the schedule is off. */
    public Optional<Instant> latestSlot(Instant now, ZoneId zone) {
        ZonedDateTime local = now.atZone(zone);
        return switch (kind) {
            case OFF -> Optional.empty();
            case HOURLY -> Optional.of(local.withMinute(0).withSecond(0).withNano(0).toInstant());
            case DAILY -> {
                ZonedDateTime today = local.with(at).withSecond(0).withNano(0);
                yield Optional.of((today.isAfter(local) ? today.minusDays(1) : today).toInstant());
            }
        };
    }

    /** Whether a snapshot is due: the newest one (if any) started before the latest scheduled moment. */
    public boolean isDue(Optional<Instant> newestSnapshotStart, Instant now, ZoneId zone) {
        Optional<Instant> slot = latestSlot(now, zone);
        return slot.isPresent() && newestSnapshotStart.map(s -> s.isBefore(slot.get())).orElse(true);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case OFF -> "off";
            case HOURLY -> "hourly";
            case DAILY -> "daily " + at;
        };
    }
}
