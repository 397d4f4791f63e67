package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.PoolerSpec;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.pooler.PoolerPause;
import dev.pgfly.node.pooler.PoolerRole;
import dev.pgfly.node.pooler.Pooling;
import dev.pgfly.node.tls.ClusterTls;
import dev.pgfly.proxy.pooler.PgBouncerConsole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A cluster's PgBouncer as the node's operations see it: chosen at create, turned on, off or changed by
 * {@code config update --pooler}, its lookup role kept in PostgreSQL, and PAUSEd/RESUMEd around a planned
 * switchover ({@link #pauseForSwitchover}, {@link #resumeAfterSwitchover}).
 */
final class ClusterPoolers {
    private static final Logger log = LoggerFactory.getLogger(ClusterPoolers.class);
    /** How long a switchover waits for the poolers' PAUSE before it goes on without them. */
    static final Duration PAUSE_BOUND = Duration.ofSeconds(10);
    /** How long the poolers stay paused, at most, waiting for the new primary to serve through the proxy. */
    static final Duration SERVING_BOUND = Duration.ofSeconds(15);

    private final ClusterParts parts;
    private final ClientAccess access;

    ClusterPoolers(ClusterParts parts, ClientAccess access) {
        this.parts = parts;
        this.access = access;
    }

    /**
     * The pooler a new cluster gets: {@code requested} (transaction, session or off) or the config's default
     * (transaction for ha, none for dev). A default pooler is left out, with a warning, when PgBouncer is not
     * installed; one asked for is refused then.
     */
    static PoolerSpec forCreate(String requested, String config, long idleTimeoutSeconds) {
        PoolerSpec pooler = Pooling.forCreate(requested, config);
        if (pooler == null) {
            return null;
        }
        if (idleTimeoutSeconds > 0) {
            if (requested == null) {
                return null;
            }
            throw new IllegalArgumentException("--pooler does not go with --scale-to-zero: PgBouncer's server"
                    + " connections would keep the database awake");
        }
        if (Pooling.binary().isEmpty()) {
            if (requested == null) {
                log.warn("PgBouncer is not installed (apt-get install pgbouncer): the new cluster has no pooler");
                return null;
            }
            throw new IllegalArgumentException("PgBouncer is not installed: apt-get install pgbouncer, or --pooler off");
        }
        return pooler;
    }

    /** {@code cluster} with {@code pooler}'s port chosen and its secrets written, saved; before the children start. */
    LocalCluster prepare(LocalCluster cluster, PoolerSpec pooler) throws IOException {
        if (pooler != null) {
            Pooling.ensureSecrets(parts.home().secretsDir(cluster.spec().name()));
        }
        return parts.allocation().withPooler(cluster, pooler);
    }

    /** Creates or refreshes the lookup role and function through the proxy (the primary). Idempotent. */
    void ensureRole(LocalCluster cluster) throws Exception {
        if (cluster.spec().pooler() == null) {
            return;
        }
        String name = cluster.spec().name();
        Path secrets = parts.home().secretsDir(name);
        Pooling.ensureRole(cluster.spec(), Secrets.readFrom(secrets).superuserPassword(),
                ClusterTls.clientTls(parts.home(), cluster.spec()), secrets);
    }

    /**
     * {@code config update NAME --pooler MODE [--pool-size N]}: the pooler turned on, off or changed. PgBouncer
     * restarts with its new files (pooled clients reconnect); the proxy and direct clients are not touched.
     */
    ClusterView update(String name, String mode, Integer poolSize) throws Exception {
        if (mode == null && poolSize == null) {
            throw new IllegalArgumentException("nothing to change: give --pooler and/or --pool-size");
        }
        PoolerSpec.PoolMode parsed = mode == null ? null : PoolerSpec.parseMode(mode);
        return parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name);
            PoolerSpec current = cluster.spec().pooler();
            PoolerSpec wanted;
            if (mode != null && parsed == null) {
                if (poolSize != null) {
                    throw new IllegalArgumentException("--pool-size needs a pooler: not with --pooler off");
                }
                wanted = null;
            } else {
                PoolerSpec base = current != null ? current
                        : PoolerSpec.of(parsed != null ? parsed : PoolerSpec.PoolMode.TRANSACTION);
                if (current == null && parsed == null) {
                    throw new IllegalArgumentException("cluster '" + name + "' has no pooler: turn it on with --pooler"
                            + " transaction or session");
                }
                wanted = base.withMode(parsed != null ? parsed : base.mode());
                if (poolSize != null) {
                    // The record's checks (1..1000, not above the client limit) refuse a bad size here.
                    wanted = wanted.withSizes(poolSize, wanted.maxClients());
                }
                if (current == null && Pooling.binary().isEmpty()) {
                    throw new IllegalArgumentException("PgBouncer is not installed: apt-get install pgbouncer");
                }
                if (cluster.spec().idleTimeoutSeconds() > 0) {
                    throw new IllegalArgumentException("cluster '" + name + "' scales to zero: PgBouncer's server"
                            + " connections would keep it awake");
                }
            }
            if (java.util.Objects.equals(current, wanted)) {
                return parts.views().view(cluster);
            }
            LocalCluster updated = prepare(cluster, wanted);
            parts.records().shareFiles(name);
            try (ClusterStore store = parts.stores().open(name)) {
                store.putConfig(updated.spec());
            }
            if (updated.running()) {
                if (wanted != null) {
                    ensureRole(updated);
                }
                parts.supervision().restartPooler(updated);
            }
            parts.stores().record(name, "pooler", null, wanted == null ? "pooler turned off"
                    : "pooler: " + wanted.mode().pgbouncerName() + " pooling, pool size " + wanted.poolSize()
                    + ", port " + updated.spec().pooler().port());
            return parts.views().view(updated);
        });
    }

    /** The consoles of every PgBouncer of the cluster: one on each node that runs a proxy of it. */
    private List<PoolerPause.Console> consoles(LocalCluster cluster) throws IOException {
        PoolerSpec pooler = cluster.spec().pooler();
        Path adminFile = Pooling.adminPasswordFile(parts.home().secretsDir(cluster.spec().name()));
        if (pooler == null || !Files.exists(adminFile)) {
            return List.of();
        }
        String password = Files.readString(adminFile).strip();
        List<String> hosts = cluster.spansNodes()
                ? cluster.spec().members().stream().map(MemberSpec::host).distinct().toList()
                : List.of(cluster.spec().proxyHost());
        Path ca = cluster.spec().tls() ? parts.tls().publicCaFile(cluster.spec().name()) : null;
        return hosts.stream().map(h -> PoolerPause.Console.of(new PgBouncerConsole(h, pooler.port(), PoolerRole.ADMIN,
                password, ca))).toList();
    }

    /**
     * Before a planned switchover hands over: every pooler PAUSEs (bounded by {@link #PAUSE_BOUND}); one that
     * cannot is resumed and named in an event, and the switchover goes on.
     */
    PoolerPause pauseForSwitchover(LocalCluster cluster) {
        try {
            List<PoolerPause.Console> consoles = consoles(cluster);
            if (consoles.isEmpty()) {
                return PoolerPause.none();
            }
            String name = cluster.spec().name();
            return PoolerPause.pause(consoles, PAUSE_BOUND, (kind, text) -> parts.stores().record(name, kind, null, text));
        } catch (IOException | RuntimeException e) {
            log.warn("{}: could not pause the poolers, switching over without: {}", cluster.spec().name(), e.toString());
            parts.stores().record(cluster.spec().name(), "pooler-pause-skipped", null,
                    "could not pause the poolers (" + e.getMessage() + "); the switchover goes on without");
            return PoolerPause.none();
        }
    }

    /**
     * After the new primary leads: the poolers RESUME once a query through the proxy reaches a writable
     * primary (their new server connections must not meet the former one), or after {@link #SERVING_BOUND}.
     */
    void resumeAfterSwitchover(LocalCluster cluster, PoolerPause pause) {
        if (!pause.anyPaused()) {
            pause.resume();
            return;
        }
        long deadline = System.currentTimeMillis() + SERVING_BOUND.toMillis();
        try {
            while (System.currentTimeMillis() < deadline && !access.queryThroughProxy(cluster)) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("{}: {}", cluster.spec().name(), e.toString());
        } finally {
            pause.resume();
            long held = pause.heldMillis();
            long waited = pause.outcomes().stream().mapToLong(PoolerPause.Outcome::millis).max().orElse(0);
            log.info("{}: poolers resumed; they held their clients {} ms (PAUSE took {} ms)", cluster.spec().name(),
                    held + waited, waited);
            parts.stores().record(cluster.spec().name(), "pooler-resume", null, "PgBouncer held its clients "
                    + (held + waited) + " ms through the switchover (PAUSE took " + waited + " ms), then resumed");
        }
    }
}
