package dev.pgfly.node;

import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.admin.OwnedSettings;
import dev.pgfly.node.admin.SettingValidator;
import dev.pgfly.node.api.SettingsUpdate;
import dev.pgfly.node.api.SettingsView;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.ClusterTls;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The cluster-wide PostgreSQL settings pgfly manages: stored in the cluster spec (coordination store
 * and cluster.json), rendered into pgfly.conf by every member's agent, which reloads PostgreSQL when
 * the file changed. Values arrive validated against the server's pg_settings by the CLI; the daemon
 * validates them again against a running member ({@link #validated}), then checks what it can without
 * a server (names, pgfly's own settings, no control characters) when it merges them.
 */
final class ClusterSettings {
    private static final long APPLY_TIMEOUT_MILLIS = 60_000;

    private final PgflyHome home;

    ClusterSettings(PgflyHome home) {
        this.home = home;
    }

    SettingsView view(LocalCluster cluster, Optional<String> primary) throws IOException {
        Map<String, String> configured = new TreeMap<>(cluster.spec().settings());
        String password = Secrets.readFrom(home.secretsDir(cluster.spec().name())).superuserPassword();
        List<SettingsView.MemberSettings> members = new ArrayList<>();
        for (MemberSpec m : cluster.spec().members()) {
            String role = primary.map(p -> p.equals(m.name()) ? "primary" : "replica").orElse("unknown");
            try (MemberSql sql = MemberSql.open(m, password, ClusterTls.clientTls(home, cluster.spec()))) {
                Map<String, SettingsView.Value> values = new LinkedHashMap<>();
                sql.settings(configured.keySet()).forEach((name, row) -> values.put(name, new SettingsView.Value(
                        row.shown(), SettingValidator.inForce(row.spec(), configured.get(name)), row.spec().pendingRestart())));
                members.add(new SettingsView.MemberSettings(m.name(), role, null, values, sql.pendingRestart()));
            } catch (SQLException e) {
                members.add(new SettingsView.MemberSettings(m.name(), role, "not reachable: " + e.getMessage(),
                        Map.of(), List.of()));
            }
        }
        return new SettingsView(configured, members);
    }

    /**
     * The update with every value validated again, against a running member's pg_settings: the API
     * takes values from any holder of the token, not only from the CLI (which validated them already),
     * and a name or value PostgreSQL does not know would stop it from starting again.
     */
    SettingsUpdate validated(LocalCluster cluster, SettingsUpdate update) throws IOException {
        Map<String, String> set = update.set() == null ? Map.of() : update.set();
        if (set.isEmpty()) {
            return update;
        }
        Map<String, String> names = new LinkedHashMap<>();
        set.keySet().forEach(raw -> names.put(raw, SettingValidator.normalizeName(raw)));
        String password = Secrets.readFrom(home.secretsDir(cluster.spec().name())).superuserPassword();
        SQLException last = null;
        for (MemberSpec m : cluster.spec().members()) {
            try (MemberSql sql = MemberSql.open(m, password, ClusterTls.clientTls(home, cluster.spec()))) {
                Map<String, dev.pgfly.node.admin.SettingSpec> known = new LinkedHashMap<>();
                sql.settings(names.values()).forEach((name, row) -> known.put(name, row.spec()));
                Map<String, String> checked = new LinkedHashMap<>();
                set.forEach((raw, value) -> {
                    SettingValidator.Validated v = SettingValidator.validate(known, raw, value);
                    checked.put(v.name(), v.value());
                });
                return new SettingsUpdate(checked, update.reset());
            } catch (SQLException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no member answers to validate the settings against"
                + (last == null ? "" : ": " + last.getMessage()));
    }

    /** The new settings map; refuses what no server-side validation could have let through. */
    static Map<String, String> merge(Map<String, String> current, SettingsUpdate update) {
        Map<String, String> merged = new TreeMap<>(current);
        Map<String, String> set = update.set() == null ? Map.of() : update.set();
        set.forEach((rawName, value) -> {
            String name = SettingValidator.normalizeName(rawName);
            OwnedSettings.refusal(name).ifPresent(reason -> {
                throw new IllegalArgumentException("setting '" + name + "' is managed by pgfly: " + reason);
            });
            if (value == null || value.codePoints().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("invalid value for setting '" + name + "'");
            }
            OwnedSettings.checkSafeValue(name, value.strip());
            merged.put(name, value);
        });
        for (String rawName : update.reset() == null ? List.<String>of() : update.reset()) {
            String name = SettingValidator.normalizeName(rawName);
            // Resetting an owned setting would undo what pgfly set itself (archiving, for one).
            OwnedSettings.refusal(name).ifPresent(reason -> {
                throw new IllegalArgumentException("setting '" + name + "' is managed by pgfly: " + reason);
            });
            if (merged.remove(name) == null) {
                throw new IllegalArgumentException("setting '" + name + "' is not configured: nothing to reset");
            }
        }
        return merged;
    }

    /**
     * Waits until every reachable member has the new values in force, or marked pending a restart:
     * the agents rewrite pgfly.conf and reload within a cycle of the store's change.
     */
    void awaitApplied(LocalCluster cluster, Map<String, String> set) throws IOException, InterruptedException {
        if (set.isEmpty() || !cluster.running()) {
            return;
        }
        String password = Secrets.readFrom(home.secretsDir(cluster.spec().name())).superuserPassword();
        long deadline = System.currentTimeMillis() + APPLY_TIMEOUT_MILLIS;
        List<String> waiting = List.of();
        while (System.currentTimeMillis() < deadline) {
            waiting = new ArrayList<>();
            for (MemberSpec m : cluster.spec().members()) {
                try (MemberSql sql = MemberSql.open(m, password, ClusterTls.clientTls(home, cluster.spec()))) {
                    Map<String, MemberSql.Row> rows = sql.settings(set.keySet());
                    for (Map.Entry<String, String> e : set.entrySet()) {
                        MemberSql.Row row = rows.get(e.getKey());
                        if (row == null || !(row.spec().pendingRestart()
                                || SettingValidator.inForce(row.spec(), e.getValue()))) {
                            waiting.add(m.name() + ":" + e.getKey());
                        }
                    }
                } catch (SQLException e) {
                    // A member that is down picks the settings up when it starts.
                }
            }
            if (waiting.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("settings stored, but not yet applied on " + String.join(", ", waiting)
                + " after " + APPLY_TIMEOUT_MILLIS / 1000 + " s; see the members' postgres.log");
    }

}
