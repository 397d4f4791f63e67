package dev.pgfly.agent;

import dev.pgfly.agent.ha.HaLoop;
import dev.pgfly.agent.ha.LeaseKeeper;
import dev.pgfly.agent.local.LocalPostgres;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.postgres.PgStats;
import dev.pgfly.postgres.PgStatsReader;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Takes one look at the member for {@code /metrics} and {@code /checks}: PostgreSQL's statistics (one
 * round of queries over the reader's own connection), the host, and the HA loop's view of the member's
 * role. It runs on the HTTP server's threads, never on the HA loop's, and reads only volatile HA state.
 * A look is reused for half a second, so that a scrape and a health check arriving together, or a
 * burst of scrapes, cost one round of queries.
 */
final class MemberObserver implements AutoCloseable {
    private static final long REUSE_MILLIS = 500;
    private static final long SPEC_REFRESH_MILLIS = 5000;

    /** One look at the member. */
    record Observation(long takenAt, String member, String cluster, String region, boolean postgresRunning,
                       PgStats pg, HealthChecks.Role role, HostStats host, List<Check> checks,
                       boolean storeConnected) {
        CheckStatus worst() {
            return HealthChecks.worst(checks);
        }
    }

    private final String member;
    private final HaLoop loop;
    private final LocalPostgres local;
    private final LeaseKeeper lease;
    private final ClusterStore store;
    private final PgStatsReader reader;
    private final Path dataDir;
    private Observation last;
    private ClusterSpec spec;
    private dev.pgfly.core.model.PauseState pause;
    private long specReadAt;

    MemberObserver(String member, HaLoop loop, LocalPostgres local, LeaseKeeper lease, ClusterStore store,
                   PgStatsReader reader) {
        this.member = member;
        this.loop = loop;
        this.local = local;
        this.lease = lease;
        this.store = store;
        this.reader = reader;
        this.dataDir = local.instance().dataDir();
    }

    synchronized Observation observe() {
        long now = System.currentTimeMillis();
        if (last != null && now - last.takenAt() < REUSE_MILLIS) {
            return last;
        }
        boolean running = local.instance().isRunning();
        PgStats pg = running ? reader.read() : PgStats.down("PostgreSQL is not running");
        String leader = loop.upstream();
        Optional<ClusterSpec> cluster = spec();
        HealthChecks.Role role = new HealthChecks.Role(lease.isLeading(), loop.term(), leader,
                leader == null ? null : cluster.flatMap(s -> s.member(leader)).map(MemberSpec::host).orElse(null));
        HostStats host = HostStats.read(dataDir);
        String region = cluster.flatMap(s -> s.member(member)).map(MemberSpec::region).orElse("");
        List<Check> checks = HealthChecks.all(running, pg, role, host, loop.diskGuard());
        dev.pgfly.core.model.PauseState paused = dev.pgfly.core.model.PauseState.activeOrNull(pause, now);
        if (paused != null) {
            checks = List.of(checks.get(0), HealthChecks.paused(checks.get(1), paused), checks.get(2));
        }
        last = new Observation(now, member, store.cluster(), region, running, pg, role, host, checks,
                store.isConnected());
        return last;
    }

    /** The cluster configuration, re-read every few seconds and only while the store is reachable. */
    private Optional<ClusterSpec> spec() {
        long now = System.currentTimeMillis();
        if ((spec == null || now - specReadAt > SPEC_REFRESH_MILLIS) && store.isConnected()) {
            try {
                spec = store.config().orElse(spec);
                pause = store.pause().orElse(null);
                specReadAt = now;
            } catch (RuntimeException e) {
                // keep the last one: the store is slow or gone, the checks say so elsewhere
            }
        }
        return Optional.ofNullable(spec);
    }

    @Override
    public void close() {
        reader.close();
    }
}
