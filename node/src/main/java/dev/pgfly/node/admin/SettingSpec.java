package dev.pgfly.node.admin;

import java.util.List;

/**
 * One row of PostgreSQL's {@code pg_settings}: what a setting accepts (type, unit, range, values)
 * and when a change takes effect (context). Values and bounds are in the setting's base unit.
 */
public record SettingSpec(String name, String vartype, String unit, String minVal, String maxVal,
                          List<String> enumVals, String context, String setting, boolean pendingRestart) {

    public SettingSpec {
        enumVals = enumVals == null ? List.of() : List.copyOf(enumVals);
    }

    /** Applied at the next restart only (otherwise a reload is enough). */
    public boolean needsRestart() {
        return "postmaster".equals(context);
    }

    /** Fixed at build or initdb time. */
    public boolean readOnly() {
        return "internal".equals(context);
    }
}
