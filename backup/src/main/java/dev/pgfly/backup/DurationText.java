package dev.pgfly.backup;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them: {@code 5d}, {@code 36h}, {@code 90m}, {@code 2w}. */
public final class DurationText {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,6})\\s*([mhdw])");

    private DurationText() {
    }

    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.strip().toLowerCase());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "': use a number and m, h, d or w, e.g. 5d");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("bad duration '" + text + "': must be more than zero");
        }
        return d;
    }
}
