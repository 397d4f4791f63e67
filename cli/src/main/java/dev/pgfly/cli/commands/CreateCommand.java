package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.util.Durations;
import dev.pgfly.node.api.CreateRequest;
import dev.pgfly.node.api.CreateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a cluster and start it; prints its members and connection URL.")
public final class CreateCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster name: [a-z][a-z0-9-]{0,62}")
    String name;

    @Option(names = "--config", defaultValue = "dev", description = "dev (one member) or ha (three members). Default: ${DEFAULT-VALUE}")
    String config;

    @Option(names = "--members", description = "Number of members (default 1 for dev, 3 for ha)")
    int members;

    @Option(names = "--region", defaultValue = "local", description = "Primary region. Default: ${DEFAULT-VALUE}")
    String region;

    @Option(names = "--sync", description = "Synchronous replication: no acknowledged write is ever lost")
    boolean sync;

    @Option(names = "--same-host", description = {"In an installation of several nodes: allow members to share a node",
            "(the cluster then does not survive the loss of that host). One host alone always shares."})
    boolean sameHost;

    @Option(names = "--port", description = "Proxy port for the primary (the next one serves replicas)")
    int port;

    @Option(names = "--pg-bin", description = "Directory with the PostgreSQL server binaries")
    String pgBin;

    @Option(names = "--scale-to-zero", description = "Dev clusters: stop PostgreSQL when no client is connected for"
            + " the idle timeout; the proxy starts it again when a client connects")
    boolean scaleToZero;

    @Option(names = "--idle-timeout", defaultValue = "5m", paramLabel = "DURATION",
            description = "With --scale-to-zero: how long without clients before stopping (30s, 5m, 1h). Default: ${DEFAULT-VALUE}")
    String idleTimeout;

    @Option(names = "--from-backup", paramLabel = "NAME[:ID]",
            description = "Restore from the backups of cluster NAME (the newest snapshot that fits, or snapshot ID)")
    String fromBackup;

    @Option(names = "--target-time", description = "With --from-backup: recover to this moment (ISO-8601 with a zone)")
    String targetTime;

    @Option(names = "--target-lsn", description = "With --from-backup: recover to this WAL position (e.g. 0/3000060)")
    String targetLsn;

    @Option(names = "--fork-from", paramLabel = "NAME", description = "A fresh copy of running cluster NAME")
    String forkFrom;

    @Option(names = "--tls", negatable = true, description = "PostgreSQL accepts TLS connections only, with certificates"
            + " from a CA of the cluster's own (see 'pgfly cert'). Default: on for ha, off for dev")
    Boolean tls;

    @Option(names = "--pooler", paramLabel = "MODE", description = "PgBouncer next to the proxy: transaction, session"
            + " or off. Default: transaction for ha, off for dev ('pgfly url NAME --pooled' prints its URL)")
    String pooler;

    @picocli.CommandLine.Mixin
    BackupCommand.StoreOptions backupStore;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    /** Checks the restore options here, so that bad input is refused before the daemon does anything. */
    private dev.pgfly.node.api.RestoreRequest restoreRequest() {
        if (fromBackup != null && forkFrom != null) {
            throw new IllegalArgumentException("give --from-backup or --fork-from, not both");
        }
        if ((targetTime != null || targetLsn != null) && fromBackup == null) {
            throw new IllegalArgumentException("--target-time and --target-lsn need --from-backup");
        }
        dev.pgfly.backup.RecoveryTarget.parse(targetTime, targetLsn);
        if (forkFrom != null) {
            return new dev.pgfly.node.api.RestoreRequest(forkFrom, null, null, null, true);
        }
        if (fromBackup == null) {
            return null;
        }
        int colon = fromBackup.indexOf(':');
        String source = colon < 0 ? fromBackup : fromBackup.substring(0, colon);
        String id = colon < 0 ? null : fromBackup.substring(colon + 1);
        return new dev.pgfly.node.api.RestoreRequest(source, id, targetTime, targetLsn, false);
    }

    @Override
    public Integer call() {
        long idleSeconds = 0;
        if (scaleToZero) {
            idleSeconds = Durations.parse(idleTimeout).toSeconds();
            if (idleSeconds < 1) {
                throw new IllegalArgumentException("--idle-timeout must be at least 1s");
            }
        }
        dev.pgfly.node.api.RestoreRequest restore = restoreRequest();
        if (pooler != null) {
            // Refused here too, so that a typo costs nothing: the daemon checks again.
            dev.pgfly.core.model.PoolerSpec.parseMode(pooler);
        }
        DaemonClient daemon = daemon();
        CreateResult result;
        try (ProgressSteps steps = EventProgress.show(path(name), json)) {
            result = daemon.convert(daemon.post("/v1/clusters",
                    new CreateRequest(name, config, region, members, sync, port, pgBin, idleSeconds, restore,
                            backupStore.settings(), tls, sameHost, pooler),
                    restore == null ? Duration.ofMinutes(5) : Duration.ofHours(12)), CreateResult.class);
        }
        if (json) {
            printJson(result);
            return 0;
        }
        System.out.printf("Created %s cluster '%s' in %.1f s.%n%n", result.cluster().config(), name,
                result.millis() / 1000.0);
        if (restore != null) {
            System.out.println((forkFrom != null ? "Forked from '" + forkFrom + "'" : "Restored from the backups of '"
                    + restore.source() + "'") + "; it archives to its own backup store.");
            System.out.println();
        }
        printMembers(System.out, result.cluster());
        System.out.println();
        System.out.println("Connection URL (through the proxy; the password is shown only here and by 'pgfly url'):");
        System.out.println("  " + result.url());
        if (result.verifyUrl() != null) {
            System.out.println();
            System.out.println("TLS is on: PostgreSQL accepts encrypted connections only. To check the server's certificate"
                    + " (the cluster's CA: 'pgfly cert " + name + "'):");
            System.out.println("  " + result.verifyUrl());
        }
        if (result.pooledUrl() != null) {
            System.out.println();
            boolean transaction = "transaction".equals(result.cluster().proxy().poolMode());
            System.out.println("Pooled URL (PgBouncer, " + result.cluster().proxy().poolMode() + " pooling; "
                    + (transaction ? "clients ride through planned switchovers; PgJDBC needs prepareThreshold=0):"
                    : "a client keeps its server connection, so a switchover ends it):"));
            System.out.println("  " + result.pooledUrl());
        }
        System.out.println();
        System.out.println("Connect with: pgfly connect " + name);
        return 0;
    }
}
