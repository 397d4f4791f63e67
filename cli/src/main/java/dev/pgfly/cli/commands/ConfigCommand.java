package dev.pgfly.cli.commands;

import dev.pgfly.cli.admin.AdminDb;
import dev.pgfly.cli.admin.SettingsCatalog;
import dev.pgfly.cli.client.CliException;
import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.admin.SettingSpec;
import dev.pgfly.node.admin.SettingValidator;
import dev.pgfly.node.api.SettingsUpdate;
import dev.pgfly.node.api.SettingsView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Show and update the PostgreSQL settings pgfly manages for a cluster.",
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Update.class})
public final class ConfigCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "The managed settings, the value in force on each member, and pending restarts.")
    public static final class Show extends ClusterCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() {
            DaemonClient daemon = daemon();
            SettingsView view = daemon.convert(daemon.get(path(name) + "/settings"), SettingsView.class);
            if (json) {
                printJson(view);
                return 0;
            }
            print(name, view);
            return 0;
        }
    }

    static void print(String cluster, SettingsView view) {
        List<String> headers = new ArrayList<>(List.of("SETTING", "CONFIGURED"));
        view.members().forEach(m -> headers.add(m.member() + " (" + m.role() + ")"));
        Table t = new Table(headers.toArray(String[]::new));
        view.configured().forEach((setting, configured) -> {
            List<Object> row = new ArrayList<>(List.of(setting, configured));
            for (SettingsView.MemberSettings m : view.members()) {
                SettingsView.Value v = m.values().get(setting);
                row.add(m.error() != null ? "unreachable" : v == null ? "-"
                        : v.value() + (v.pendingRestart() ? " (restart pending)" : v.inForce() ? "" : " (not applied)"));
            }
            t.row(row.toArray());
        });
        System.out.print(t.render());
        boolean pending = false;
        for (SettingsView.MemberSettings m : view.members()) {
            if (m.error() != null) {
                System.out.println(m.member() + ": " + m.error());
            } else if (!m.pendingRestart().isEmpty()) {
                pending = true;
                System.out.println(m.member() + ": restart pending for " + String.join(", ", m.pendingRestart()));
            }
        }
        if (pending) {
            System.out.println("Apply with a rolling restart: pgfly restart " + cluster);
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change settings on every member: checked against the server's pg_settings, applied by "
                    + "reload when PostgreSQL allows it, otherwise marked pending until 'pgfly restart'.")
    public static final class Update extends AdminCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--set", paramLabel = "NAME=VALUE", description = "A setting, e.g. --set work_mem=16MB (repeatable)")
        List<String> sets = new ArrayList<>();

        @Option(names = "--reset", paramLabel = "NAME", description = "Back to pgfly's default (repeatable)")
        List<String> resets = new ArrayList<>();

        @Option(names = "--max-connections", paramLabel = "N")
        String maxConnections;

        @Option(names = "--shared-buffers", paramLabel = "SIZE", description = "e.g. 512MB")
        String sharedBuffers;

        @Option(names = "--work-mem", paramLabel = "SIZE", description = "e.g. 16MB")
        String workMem;

        @Option(names = "--log-min-duration-statement", paramLabel = "TIME", description = "e.g. 250ms, -1 for off")
        String logMinDurationStatement;

        @Option(names = "--wal-level", paramLabel = "LEVEL", description = "replica or logical")
        String walLevel;

        @Option(names = "--shared-preload-libraries", paramLabel = "LIST", description = "e.g. pg_stat_statements")
        String sharedPreloadLibraries;

        @Option(names = "--pooler", paramLabel = "MODE", description = "PgBouncer next to the proxy: transaction,"
                + " session or off (it restarts: pooled clients reconnect; direct clients are not touched)")
        String pooler;

        @Option(names = "--pool-size", paramLabel = "N", description = "PgBouncer's server connections per database"
                + " and user, 1 to 1000 (default 20)")
        Integer poolSize;

        @Override
        public Integer call() {
            Map<String, String> requested = requested();
            boolean poolerChange = pooler != null || poolSize != null;
            if (requested.isEmpty() && resets.isEmpty() && !poolerChange) {
                throw new CliException("nothing to change: use --set NAME=VALUE, --reset NAME or a flag such as --work-mem");
            }
            if (poolerChange) {
                // Checked before anything changes: a bad mode or size refuses the whole update.
                if (pooler != null) {
                    dev.pgfly.core.model.PoolerSpec.parseMode(pooler);
                }
                if (poolSize != null && (poolSize < 1 || poolSize > 1000)) {
                    throw new CliException("--pool-size must be from 1 to 1000 server connections");
                }
            }
            if (requested.isEmpty() && resets.isEmpty()) {
                return updatePooler();
            }
            AdminDb db = admin(name);
            Map<String, SettingSpec> known = SettingsCatalog.read(db);
            Map<String, String> validated = new LinkedHashMap<>();
            Map<String, Boolean> restart = new LinkedHashMap<>();
            requested.forEach((k, v) -> {
                SettingValidator.Validated s = SettingValidator.validate(known, k, v);
                validated.put(s.name(), s.value());
                restart.put(s.name(), s.needsRestart());
            });
            List<String> reset = resets.stream().map(SettingValidator::normalizeName).toList();
            if (validated.containsKey("shared_preload_libraries")) {
                SettingsCatalog.checkLibraries(db, validated.get("shared_preload_libraries"));
            }
            DaemonClient daemon = daemon();
            SettingsView view = daemon.convert(daemon.post(path(name) + "/settings", new SettingsUpdate(validated, reset),
                    Duration.ofMinutes(3)), SettingsView.class);
            validated.forEach((k, v) -> System.out.println(k + " = " + v + ": " + (restart.get(k)
                    ? "stored; takes effect at the next restart ('pgfly restart " + name + "')"
                    : "applied on every member (reload)")));
            reset.forEach(k -> System.out.println(k + ": reset to pgfly's default"));
            if (poolerChange) {
                updatePooler();
            }
            System.out.println();
            print(name, view);
            return 0;
        }

        private Integer updatePooler() {
            DaemonClient daemon = daemon();
            dev.pgfly.node.api.ClusterView view = daemon.convert(daemon.post(path(name) + "/pooler?"
                    + (pooler == null ? "" : "mode=" + DaemonClient.enc(pooler) + "&")
                    + (poolSize == null ? "" : "pool_size=" + poolSize), null, Duration.ofMinutes(2)),
                    dev.pgfly.node.api.ClusterView.class);
            {
                dev.pgfly.node.api.ClusterView.Proxy p = view.proxy();
                System.out.println(p == null || p.pooled() == null ? "pooler: off"
                        : "pooler: " + p.poolMode() + " pooling on " + p.pooled() + " ('pgfly url " + name + " --pooled')");
            }
            return 0;
        }

        private Map<String, String> requested() {
            Map<String, String> m = new LinkedHashMap<>();
            for (String s : sets) {
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new CliException("invalid --set '" + s.replaceAll("\\p{Cntrl}", "?") + "': use --set NAME=VALUE");
                }
                put(m, s.substring(0, eq), s.substring(eq + 1));
            }
            putIf(m, "max_connections", maxConnections);
            putIf(m, "shared_buffers", sharedBuffers);
            putIf(m, "work_mem", workMem);
            putIf(m, "log_min_duration_statement", logMinDurationStatement);
            putIf(m, "wal_level", walLevel);
            putIf(m, "shared_preload_libraries", sharedPreloadLibraries);
            return m;
        }

        private static void putIf(Map<String, String> m, String key, String value) {
            if (value != null) {
                put(m, key, value);
            }
        }

        private static void put(Map<String, String> m, String key, String value) {
            String k = SettingValidator.normalizeName(key);
            if (m.containsKey(k)) {
                throw new CliException("setting '" + k + "' given twice");
            }
            m.put(k, value);
        }
    }
}
