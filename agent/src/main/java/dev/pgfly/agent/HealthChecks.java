package dev.pgfly.agent;

import dev.pgfly.agent.disk.DiskGuard;
import dev.pgfly.postgres.PgStats;

import java.util.List;
import java.util.Locale;

/**
 * The member's health checks, modelled on Fly's Postgres checks, as pure functions of what was
 * observed (so that every threshold is unit-tested):
 * <ul>
 *   <li>{@code pg} — PostgreSQL runs, accepts a connection and answers a query; warns when its
 *       connections are nearly used up.</li>
 *   <li>{@code role} — a primary holds the leadership; a replica streams from the current leader,
 *       not too far behind.</li>
 *   <li>{@code vm} — disk space left on the data volume, memory available, load average.</li>
 * </ul>
 */
final class HealthChecks {
    static final double CONNECTIONS_WARNING = 0.90;
    static final double REPLAY_LAG_WARNING_SECONDS = 30;
    static final double DISK_FREE_WARNING = 0.10;
    static final double DISK_FREE_CRITICAL = 0.05;
    static final long DISK_FREE_CRITICAL_BYTES = 256L * 1024 * 1024;
    static final double MEMORY_AVAILABLE_WARNING = 0.10;
    static final double MEMORY_AVAILABLE_CRITICAL = 0.03;
    /** Load per CPU above this is a warning. Never critical: a busy host is slower, not broken. */
    static final double LOAD_PER_CPU_WARNING = 2.0;

    /**
     * What the HA loop knows about this member's place in the cluster.
     *
     * @param leading      this member holds the leader node (and renews its watchdog lease)
     * @param leader       the member this one follows (null when it leads or nobody leads)
     * @param leaderHost   that member's address (null when unknown)
     */
    record Role(boolean leading, long term, String leader, String leaderHost) {
    }

    private HealthChecks() {
    }

    static List<Check> all(boolean postgresRunning, PgStats pg, Role role, HostStats host) {
        return all(postgresRunning, pg, role, host, null);
    }

    /** @param guard the full-disk guard's last verdict (null: not known) */
    static List<Check> all(boolean postgresRunning, PgStats pg, Role role, HostStats host, DiskGuard.Verdict guard) {
        return List.of(pg(postgresRunning, pg), role(pg, role), vm(host, guard));
    }

    /**
     * The {@code role} check of a paused cluster: a warning at least, saying until when, since nothing
     * recovers by itself meanwhile (a dead primary is reported, not replaced).
     */
    static Check paused(Check role, dev.pgfly.core.model.PauseState pause) {
        return Check.of("role", role.verdict().worse(CheckStatus.WARNING),
                "cluster paused " + pause.untilText() + " (no failover); " + role.output());
    }

    static CheckStatus worst(List<Check> checks) {
        return checks.stream().map(Check::verdict).reduce(CheckStatus.PASSING, CheckStatus::worse);
    }

    static Check pg(boolean running, PgStats pg) {
        if (!running) {
            return Check.of("pg", CheckStatus.CRITICAL, "PostgreSQL is not running");
        }
        if (!pg.up()) {
            return Check.of("pg", CheckStatus.CRITICAL, "PostgreSQL does not answer: " + pg.error());
        }
        String usage = pg.connections() + " of " + pg.maxConnections() + " connections used";
        // A failing archive_command does not stop PostgreSQL, but point-in-time recovery has a hole and
        // pg_wal grows until it works again: worth a warning, not a failover.
        String archiving = pg.archiveFailure() == null ? "" : "; WAL archiving fails: last failure " + pg.archiveFailure();
        if (pg.maxConnections() > 0 && pg.connections() >= CONNECTIONS_WARNING * pg.maxConnections()) {
            return Check.of("pg", CheckStatus.WARNING, "accepts connections, but " + usage + archiving);
        }
        if (!archiving.isEmpty()) {
            return Check.of("pg", CheckStatus.WARNING, "accepts connections; " + usage + archiving);
        }
        return Check.of("pg", CheckStatus.PASSING, "accepts connections; " + usage);
    }

    static Check role(PgStats pg, Role role) {
        if (!pg.up()) {
            return Check.of("role", CheckStatus.CRITICAL, "unknown: PostgreSQL does not answer");
        }
        if (!pg.inRecovery()) {
            return role.leading()
                    ? Check.of("role", CheckStatus.PASSING, "primary of term " + role.term() + ", "
                    + pg.replicas().stream().filter(r -> "streaming".equals(r.state())).count() + " replica(s) streaming")
                    : Check.of("role", CheckStatus.CRITICAL, "accepts writes without holding the leadership");
        }
        if (role.leading()) {
            return Check.of("role", CheckStatus.WARNING, "leads term " + role.term() + ", still promoting");
        }
        if (role.leader() == null) {
            return Check.of("role", CheckStatus.CRITICAL, "replica without a leader to follow");
        }
        if (!pg.streaming()) {
            return Check.of("role", CheckStatus.CRITICAL, "replica not streaming from the leader " + role.leader());
        }
        if (role.leaderHost() != null && !role.leaderHost().equals(pg.senderHost())) {
            return Check.of("role", CheckStatus.CRITICAL, "replica streams from " + pg.senderHost()
                    + ", not from the leader " + role.leader() + " (" + role.leaderHost() + ")");
        }
        String lag = String.format(Locale.ROOT, "%.1f s", pg.replicaLagSeconds());
        if (pg.replicaLagSeconds() > REPLAY_LAG_WARNING_SECONDS) {
            return Check.of("role", CheckStatus.WARNING, "replica of " + role.leader() + ", replay " + lag + " behind");
        }
        return Check.of("role", CheckStatus.PASSING, "replica streaming from " + role.leader() + ", replay lag " + lag);
    }

    static Check vm(HostStats h) {
        return vm(h, null);
    }

    /** With the full-disk guard refusing writes, critical whatever the numbers, and saying why first. */
    static Check vm(HostStats h, DiskGuard.Verdict guard) {
        CheckStatus status = CheckStatus.PASSING;
        StringBuilder out = new StringBuilder();
        if (guard != null && guard.refusesWrites()) {
            status = CheckStatus.CRITICAL;
            out.append(guard.reason()).append("; ");
        }
        if (h.diskTotalBytes() > 0) {
            double free = (double) h.diskFreeBytes() / h.diskTotalBytes();
            if (free < DISK_FREE_CRITICAL || h.diskFreeBytes() < DISK_FREE_CRITICAL_BYTES) {
                status = status.worse(CheckStatus.CRITICAL);
            } else if (free < DISK_FREE_WARNING) {
                status = status.worse(CheckStatus.WARNING);
            }
            out.append(String.format(Locale.ROOT, "disk %s free of %s (%.0f%%)", size(h.diskFreeBytes()),
                    size(h.diskTotalBytes()), free * 100));
        } else {
            status = status.worse(CheckStatus.WARNING);
            out.append("disk space unknown");
        }
        if (h.memTotalBytes() > 0) {
            double available = (double) h.memAvailableBytes() / h.memTotalBytes();
            if (available < MEMORY_AVAILABLE_CRITICAL) {
                status = status.worse(CheckStatus.CRITICAL);
            } else if (available < MEMORY_AVAILABLE_WARNING) {
                status = status.worse(CheckStatus.WARNING);
            }
            out.append(String.format(Locale.ROOT, ", memory %s available of %s", size(h.memAvailableBytes()),
                    size(h.memTotalBytes())));
        }
        if (h.load1() >= 0 && h.cpus() > 0) {
            if (h.load1() / h.cpus() > LOAD_PER_CPU_WARNING) {
                status = status.worse(CheckStatus.WARNING);
            }
            out.append(String.format(Locale.ROOT, ", load %.2f on %d CPU(s)", h.load1(), h.cpus()));
        }
        return Check.of("vm", status, out.toString());
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%d MiB", bytes >> 20);
    }
}
