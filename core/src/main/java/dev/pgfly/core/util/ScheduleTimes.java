package dev.pgfly.core.util;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;

/**
 * The moment of {@code --at TIME}, as people type it: an instant ({@code 2026-12-07T17:00:00Z}, or with an offset),
 * a local date and time ({@code 2026-12-07T17:00}), a time of day ({@code 17:00}: its next occurrence), or a delay
 * from now ({@code +10m}, {@code +90s}, {@code +2h}). A moment in the past, or more than {@link #FURTHEST} ahead,
 * is refused: a typo must not run a switchover now or be forgotten for a year.
 */
public final class ScheduleTimes {
    public static final Duration FURTHEST = Duration.ofDays(30);

    private ScheduleTimes() {
    }

    public static Instant parse(String text, Instant now, ZoneId zone) {
        String t = text == null ? "" : text.strip();
        Instant at = moment(t, now, zone);
        if (at.isBefore(now)) {
            throw new IllegalArgumentException("--at " + t + " is in the past (" + at + "); leave --at out to act now");
        }
        if (at.isAfter(now.plus(FURTHEST))) {
            throw new IllegalArgumentException("--at " + t + " is more than " + FURTHEST.toDays() + " days ahead");
        }
        return at;
    }

    private static Instant moment(String t, Instant now, ZoneId zone) {
        if (t.startsWith("+")) {
            return now.plus(Durations.parse(t.substring(1)));
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            // not an instant with an offset: try the local forms
        }
        try {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            // not a local date and time
        }
        try {
            LocalTime time = LocalTime.parse(t);
            ZonedDateTime today = now.atZone(zone).with(time);
            return (today.toInstant().isBefore(now) ? today.plusDays(1) : today).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid time '" + t + "': use e.g. 2026-12-07T17:00:00Z, "
                    + "2026-12-07T17:00, 17:00 or +10m");
        }
    }
}
