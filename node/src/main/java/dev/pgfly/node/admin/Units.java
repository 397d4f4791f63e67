package dev.pgfly.node.admin;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's units for integer and real settings, as its configuration parser accepts them:
 * memory in B, kB, MB, GB, TB (case matters) and time in us, ms, s, min, h, d. A setting's base
 * unit in {@code pg_settings.unit} may carry a multiplier ("8kB", "16MB").
 */
final class Units {
    /** Largest first, so that rendering picks the largest unit that divides a value exactly. */
    static final Map<String, Long> MEMORY_BYTES = ordered("TB", 1L << 40, "GB", 1L << 30, "MB", 1L << 20,
            "kB", 1L << 10, "B", 1L);
    static final Map<String, Long> TIME_MICROS = ordered("d", 86_400_000_000L, "h", 3_600_000_000L,
            "min", 60_000_000L, "s", 1_000_000L, "ms", 1_000L, "us", 1L);
    private static final Pattern BASE = Pattern.compile("(\\d*)\\s*([A-Za-z]+)");

    private Units() {
    }

    /** The family of a base unit and its size in that family's smallest unit; empty for no unit. */
    record Base(Map<String, Long> family, long size) {
    }

    static Optional<Base> base(String unit) {
        if (unit == null || unit.isBlank()) {
            return Optional.empty();
        }
        Matcher m = BASE.matcher(unit.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown unit '" + unit + "'");
        }
        long multiplier = m.group(1).isEmpty() ? 1 : Long.parseLong(m.group(1));
        String name = m.group(2);
        if (MEMORY_BYTES.containsKey(name)) {
            return Optional.of(new Base(MEMORY_BYTES, multiplier * MEMORY_BYTES.get(name)));
        }
        if (TIME_MICROS.containsKey(name)) {
            return Optional.of(new Base(TIME_MICROS, multiplier * TIME_MICROS.get(name)));
        }
        throw new IllegalArgumentException("unknown unit '" + unit + "'");
    }

    /**
     * A value in base units rendered with the largest unit that represents it exactly, never a unit
     * finer than the base unit's own (a setting in 8kB pages is shown in kB at the finest).
     */
    static String render(long baseValue, Base base) {
        if (baseValue <= 0) {
            return Long.toString(baseValue);
        }
        long finest = base.family().values().stream().filter(v -> v <= base.size()).max(Long::compare).orElse(1L);
        BigDecimal smallest = BigDecimal.valueOf(baseValue).multiply(BigDecimal.valueOf(base.size()));
        for (Map.Entry<String, Long> u : base.family().entrySet()) {
            BigDecimal[] qr = smallest.divideAndRemainder(BigDecimal.valueOf(u.getValue()));
            if (u.getValue() >= finest && qr[1].signum() == 0) {
                return qr[0].toPlainString() + u.getKey();
            }
        }
        return Long.toString(baseValue);
    }

    /** Converts {@code number unit} to base units (exact, not rounded). */
    static BigDecimal toBase(BigDecimal number, String unit, Base base) {
        Long factor = base.family().get(unit);
        if (factor == null) {
            return null;
        }
        return number.multiply(BigDecimal.valueOf(factor)).divide(BigDecimal.valueOf(base.size()), 12,
                RoundingMode.HALF_EVEN);
    }

    private static Map<String, Long> ordered(Object... pairs) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Long) pairs[i + 1]);
        }
        return m;
    }
}
