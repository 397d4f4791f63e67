package dev.pgfly.node.admin;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a {@code name=value} against the running server's {@code pg_settings} before pgfly stores
 * it, and turns the value into a canonical form PostgreSQL is known to accept. This matters: a
 * value the server rejects makes a reload ignore it, and makes a restart fail outright.
 */
public final class SettingValidator {
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");
    private static final Pattern NUMBER = Pattern.compile("([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))\\s*([A-Za-z]*)");
    private static final Map<String, Boolean> BOOLEANS = Map.of("on", true, "off", false, "true", true,
            "false", false, "yes", true, "no", false, "1", true, "0", false);
    private static final int MAX_STRING = 4096;

    /** A value that passed validation: canonical text, and whether it takes a restart to apply. */
    public record Validated(String name, String value, boolean needsRestart) {
    }

    private SettingValidator() {
    }

    /** The setting's name as PostgreSQL knows it (names are case-insensitive). */
    public static String normalizeName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a setting needs a name: use --set name=value");
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (!NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("invalid setting name " + SqlNames.shown(name));
        }
        return n;
    }

    public static Validated validate(Map<String, SettingSpec> known, String rawName, String value) {
        String name = normalizeName(rawName);
        Optional<String> owned = OwnedSettings.refusal(name);
        if (owned.isPresent()) {
            throw new IllegalArgumentException("setting '" + name + "' is managed by pgfly: " + owned.get());
        }
        SettingSpec spec = known.get(name);
        if (spec == null) {
            List<String> close = Suggestions.closest(name, known.keySet(), 3);
            throw new IllegalArgumentException("unknown setting '" + name + "'"
                    + (close.isEmpty() ? "" : ": did you mean " + String.join(", ", close) + "?"));
        }
        if (spec.readOnly()) {
            throw new IllegalArgumentException("setting '" + name + "' is fixed when PostgreSQL is built or "
                    + "initialized and cannot be changed");
        }
        if (value == null) {
            throw new IllegalArgumentException("setting '" + name + "' needs a value: --set " + name + "=VALUE");
        }
        OwnedSettings.checkSafeValue(name, value.strip());
        String canonical = canonical(spec, value.strip());
        OwnedSettings.checkValue(name, canonical);
        return new Validated(name, canonical, spec.needsRestart());
    }

    /** The canonical form of a value for this setting, or a one-line reason why it is not valid. */
    static String canonical(SettingSpec spec, String value) {
        return switch (spec.vartype()) {
            case "bool" -> bool(spec, value);
            case "enum" -> enumValue(spec, value);
            case "integer" -> integer(spec, value);
            case "real" -> real(spec, value);
            case "string" -> string(spec, value);
            default -> throw new IllegalArgumentException("setting '" + spec.name() + "' has an unknown type "
                    + spec.vartype());
        };
    }

    /** Whether the value in force ({@code pg_settings.setting}, base units) equals a stored canonical value. */
    public static boolean inForce(SettingSpec spec, String canonicalValue) {
        String current = spec.setting();
        if (current == null) {
            return false;
        }
        try {
            return switch (spec.vartype()) {
                case "integer", "real" -> number(spec, canonicalValue).compareTo(new BigDecimal(current)) == 0;
                case "bool" -> BOOLEANS.get(canonicalValue.toLowerCase(Locale.ROOT))
                        .equals(BOOLEANS.get(current.toLowerCase(Locale.ROOT)));
                case "enum" -> canonicalValue.equalsIgnoreCase(current);
                default -> canonicalValue.equals(current);
            };
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String bool(SettingSpec spec, String value) {
        Boolean b = BOOLEANS.get(value.toLowerCase(Locale.ROOT));
        if (b == null) {
            throw invalid(spec, value, "use on or off");
        }
        return b ? "on" : "off";
    }

    private static String enumValue(SettingSpec spec, String value) {
        return spec.enumVals().stream().filter(v -> v.equalsIgnoreCase(value)).findFirst()
                .orElseThrow(() -> invalid(spec, value, "use one of " + String.join(", ", spec.enumVals())));
    }

    private static String integer(SettingSpec spec, String value) {
        BigDecimal base = number(spec, value).setScale(0, RoundingMode.HALF_UP);
        checkRange(spec, value, base);
        long v;
        try {
            v = base.intValueExact();
        } catch (ArithmeticException e) {
            throw invalid(spec, value, "out of range");
        }
        return Units.base(spec.unit()).map(b -> Units.render(v, b)).orElse(Long.toString(v));
    }

    private static String real(SettingSpec spec, String value) {
        BigDecimal base = number(spec, value);
        checkRange(spec, value, base);
        return base.stripTrailingZeros().toPlainString();
    }

    /** A number with an optional unit, in the setting's base unit (not rounded). */
    private static BigDecimal number(SettingSpec spec, String value) {
        Matcher m = NUMBER.matcher(value);
        if (!m.matches()) {
            throw invalid(spec, value, spec.unit() == null || spec.unit().isBlank() ? "expected a number"
                    : "expected a number with an optional unit (" + unitNames(spec) + ")");
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String unit = m.group(2);
        if (unit.isEmpty()) {
            return number;
        }
        Units.Base base = Units.base(spec.unit()).orElseThrow(() -> invalid(spec, value, "this setting takes no unit"));
        BigDecimal converted = Units.toBase(number, unit, base);
        if (converted == null) {
            throw invalid(spec, value, "valid units for this setting are " + unitNames(spec));
        }
        return converted;
    }

    private static String unitNames(SettingSpec spec) {
        return Units.base(spec.unit()).map(b -> String.join(", ", b.family().keySet().stream()
                .filter(u -> b.family().get(u) >= finest(b)).toList().reversed())).orElse("none");
    }

    private static long finest(Units.Base b) {
        return b.family().values().stream().filter(v -> v <= b.size()).max(Long::compare).orElse(1L);
    }

    private static void checkRange(SettingSpec spec, String value, BigDecimal base) {
        BigDecimal min = spec.minVal() == null ? null : new BigDecimal(spec.minVal());
        BigDecimal max = spec.maxVal() == null ? null : new BigDecimal(spec.maxVal());
        if ((min != null && base.compareTo(min) < 0) || (max != null && base.compareTo(max) > 0)) {
            throw invalid(spec, value, "must be between " + bound(spec, spec.minVal()) + " and " + bound(spec, spec.maxVal()));
        }
    }

    private static String bound(SettingSpec spec, String b) {
        if (b == null) {
            return "unbounded";
        }
        if ("integer".equals(spec.vartype())) {
            try {
                long v = Long.parseLong(b);
                return Units.base(spec.unit()).map(u -> Units.render(v, u)).orElse(b);
            } catch (NumberFormatException e) {
                return b;
            }
        }
        return b + (spec.unit() == null || spec.unit().isBlank() ? "" : " " + spec.unit());
    }

    private static String string(SettingSpec spec, String value) {
        if (value.codePoints().anyMatch(Character::isISOControl)) {
            throw invalid(spec, value, "control characters (newlines, tabs) are not allowed");
        }
        if (value.length() > MAX_STRING) {
            throw invalid(spec, value, "longer than " + MAX_STRING + " characters");
        }
        return value;
    }

    private static IllegalArgumentException invalid(SettingSpec spec, String value, String why) {
        return new IllegalArgumentException("invalid value " + SqlNames.shown(value) + " for setting '"
                + spec.name() + "': " + why);
    }
}
