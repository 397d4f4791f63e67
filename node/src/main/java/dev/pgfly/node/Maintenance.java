package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.RestartResult;
import dev.pgfly.node.api.SettingsUpdate;
import dev.pgfly.node.api.SettingsView;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.ClusterTls;
import dev.pgfly.postgres.PgBinaries;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A running cluster's upkeep: its settings, rolling restarts, and upgrades to new binaries of the same major version. */
final class Maintenance {
    private final ClusterParts parts;
    private final Membership membership;

    Maintenance(ClusterParts parts, Membership membership) {
        this.parts = parts;
        this.membership = membership;
    }

    SettingsView settings(String name) throws Exception {
        LocalCluster cluster = parts.records().load(name);
        Optional<String> primary;
        try (ClusterStore store = parts.stores().open(name)) {
            primary = store.leader().map(LeaderRecord::member);
        }
        return new ClusterSettings(parts.home()).view(cluster, primary);
    }

    /** Stores the new settings (store and cluster.json), then waits until every member applied them. */
    SettingsView updateSettings(String name, SettingsUpdate unchecked) throws Exception {
        SettingsUpdate update = new ClusterSettings(parts.home()).validated(parts.records().load(name), unchecked);
        LocalCluster updated = parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name);
            Map<String, String> merged = ClusterSettings.merge(cluster.spec().settings(), update);
            LocalCluster next = cluster.withSpec(cluster.spec().withSettings(merged));
            if (!merged.equals(cluster.spec().settings())) {
                parts.records().save(next);
                try (ClusterStore store = parts.stores().open(name)) {
                    store.putConfig(next.spec());
                }
                parts.stores().record(name, "config", null, "settings changed: " + describe(update));
            }
            return next;
        });
        Map<String, String> set = new LinkedHashMap<>();
        updated.spec().settings().forEach((k, v) -> {
            if (update.set() != null && update.set().keySet().stream().anyMatch(n -> n.equalsIgnoreCase(k))) {
                set.put(k, v);
            }
        });
        new ClusterSettings(parts.home()).awaitApplied(updated, set);
        return settings(name);
    }

    private static String describe(SettingsUpdate update) {
        List<String> parts = new ArrayList<>();
        if (update.set() != null) {
            update.set().forEach((k, v) -> parts.add(k + "=" + v));
        }
        if (update.reset() != null) {
            update.reset().forEach(k -> parts.add(k + " reset"));
        }
        return String.join(", ", parts);
    }

    RestartResult restart(String name, boolean force, String member) throws Exception {
        return parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name);
            try (ClusterStore store = parts.stores().open(name)) {
                return new RollingRestart(rolling(cluster, store)).run(force, member);
            }
        });
    }

    /**
     * New PostgreSQL binaries of the same major version, member by member: checked first (a refusal
     * changes nothing), saved in cluster.json, then each member's agent is replaced by one started from
     * them in a rolling restart's order (replicas, switchover, former primary).
     */
    RestartResult upgrade(String name, String pgBin) throws Exception {
        return parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name);
            PgBinaries bin = UpgradeCheck.check(pgBin, cluster.spec().pgMajor());
            if (!cluster.running()) {
                throw new IllegalStateException("cluster '" + name + "' is stopped: start it first");
            }
            ClusterView before = parts.views().view(cluster);
            if (!"running".equals(before.state())) {
                throw new IllegalStateException("cluster '" + name + "' is " + before.state()
                        + ": an upgrade needs one primary and every replica streaming");
            }
            LocalCluster updated = cluster.withPgBin(bin.binDir().toString());
            parts.records().save(updated);
            try (ClusterStore store = parts.stores().open(name)) {
                return RollingRestart.upgrade(rolling(updated, store),
                        (m, isPrimary) -> replaceAgent(updated, m, store), updated.pgBin());
            }
        });
    }

    /** Stops a member's agent (it stops its PostgreSQL, fast) and starts a new one from {@code cluster}'s record. */
    private long replaceAgent(LocalCluster cluster, MemberSpec m, ClusterStore store) throws IOException {
        long postgresPid = store.members().stream().filter(s -> s.name().equals(m.name())).findFirst()
                .map(MemberStatus::postgresPid).orElse(0L);
        parts.supervision().replaceAgent(cluster, m);
        return postgresPid;
    }

    private RollingRestart.Cluster rolling(LocalCluster cluster, ClusterStore store) {
        String name = cluster.spec().name();
        return new RollingRestart.Cluster() {
            @Override
            public LocalCluster cluster() {
                return cluster;
            }

            @Override
            public ClusterStore store() {
                return store;
            }

            @Override
            public Secrets secrets() throws IOException {
                return Secrets.readFrom(parts.home().secretsDir(name));
            }

            @Override
            public dev.pgfly.postgres.PgTls tls() {
                return ClusterTls.clientTls(parts.home(), cluster.spec());
            }

            @Override
            public String switchover() throws Exception {
                return membership.switchoverLocked(cluster, null);
            }

            @Override
            public void record(String kind, String m, String reason) {
                parts.stores().record(name, kind, m, reason);
            }
        };
    }
}
