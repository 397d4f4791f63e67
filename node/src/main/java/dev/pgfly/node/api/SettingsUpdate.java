package dev.pgfly.node.api;

import java.util.List;
import java.util.Map;

/** {@code config update}: values already validated against the server's pg_settings; names to reset. */
public record SettingsUpdate(Map<String, String> set, List<String> reset) {
}
