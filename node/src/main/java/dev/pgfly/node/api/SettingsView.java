package dev.pgfly.node.api;

import java.util.List;
import java.util.Map;

/**
 * {@code config show}: the settings pgfly manages for the cluster (stored in the coordination store)
 * and, per member, the value in force and whether a restart is pending.
 */
public record SettingsView(Map<String, String> configured, List<MemberSettings> members) {

    public record MemberSettings(String member, String role, String error, Map<String, Value> values,
                                 List<String> pendingRestart) {
    }

    /** The value in force (as SHOW prints it), whether it is the configured one, and whether it waits for a restart. */
    public record Value(String value, boolean inForce, boolean pendingRestart) {
    }
}
