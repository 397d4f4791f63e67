package dev.pgfly.agent;

import dev.pgfly.agent.ha.HaLoop;
import dev.pgfly.agent.ha.LeaseKeeper;
import dev.pgfly.agent.local.LocalPostgres;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkClusterStore;
import dev.pgfly.core.coord.ZkConnections;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.util.PrivateFiles;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.postgres.OsUser;
import dev.pgfly.postgres.PgBinaries;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgInstance;
import dev.pgfly.postgres.PgSql;
import dev.pgfly.postgres.PgStatsReader;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** Wires one member's agent together: store, PostgreSQL, lease keeper, HA loop and HTTP API. */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private final ClusterStore store;
    private final LeaseKeeper lease;
    private final HaLoop loop;
    private final MemberApi api;
    private final PostgresLogRotation logRotation;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Agent(ClusterStore store, LeaseKeeper lease, HaLoop loop, MemberApi api, PostgresLogRotation logRotation) {
        this.logRotation = logRotation;
        this.store = store;
        this.lease = lease;
        this.loop = loop;
        this.api = api;
    }

    /**
     * @param localAddress this member's address, used as the source address towards the store
     */
    public static Agent start(AgentConfig config, String localAddress) throws Exception {
        PrivateFiles.requirePrivate(config.secretsDir());
        Secrets secrets = Secrets.readFrom(config.secretsDir());
        PgBinaries bin = PgBinaries.locate(config.pgBin());
        Path credentialsFile = config.storeCredentialsFile();
        StoreCredentials credentials = credentialsFile == null ? null : StoreCredentials.readFrom(credentialsFile);
        CuratorFramework client = ZkConnections.startAndWait(config.dcs(), config.sessionTimeout(), localAddress,
                credentials, config.storeTls(), Duration.ofSeconds(30), true);
        ClusterStore store = new ZkClusterStore(client, config.dcs().root(), config.cluster(), true);
        MemberSpec me = awaitMemberSpec(store, config);
        // TLS is fixed when the cluster is created: read once, it decides how PostgreSQL is configured and
        // how this agent's own connections verify the servers they reach.
        // Fail closed: a configuration that cannot be read must never mean "TLS off" (the agent exits, and
        // the daemon starts it again).
        boolean tls = store.config().map(ClusterSpec::tls)
                .orElseThrow(() -> new IllegalStateException("the cluster configuration vanished from the store"));
        PgInstance pg = new PgInstance(bin, OsUser.forPostgres(), config.memberDir(), me.host(), me.pgPort(), tls);
        pg.data().prepareDirectories();
        LocalPostgres local = new LocalPostgres(pg, secrets, me.name(), config.secretsDir());
        // Before anything connects (a clone, a rewind, a probe of a server left running): the CA to verify with.
        local.installTls();
        LeaseKeeper lease = new LeaseKeeper(store, pg, me.name(), config.lease());
        HaLoop loop = new HaLoop(config.member(), config.loopInterval(), store, local, lease);
        PrometheusRegistry registry = new PrometheusRegistry();
        HaMetrics haMetrics = new HaMetrics(registry);
        loop.observe(haMetrics);
        // Metrics, checks and the API's probes read as the pg_monitor role: never as a superuser.
        LocalPostgres.Login monitor = LocalPostgres.monitoringLogin(secrets);
        MemberObserver observer = new MemberObserver(me.name(), loop, local, lease, store,
                new PgStatsReader(me.host(), me.pgPort(), monitor.user(), monitor.password(), pg.clientTls()));
        registry.register(new AgentMetricsCollector(observer::observe, haMetrics));
        MemberApi api = new MemberApi(me.host(), me.apiPort(), loop, local,
                LocalPostgres.monitoring(me.host(), me.pgPort(), secrets, pg.clientTls()), observer, registry);
        PostgresLogRotation logRotation = PostgresLogRotation.start(pg.logFile());
        loop.start();
        log.info("agent for {}/{} started: PostgreSQL {} on {}:{}, API on {}", config.cluster(), me.name(),
                bin.majorVersion(), me.host(), me.pgPort(), me.apiUrl());
        return new Agent(store, lease, loop, api, logRotation);
    }

    private static MemberSpec awaitMemberSpec(ClusterStore store, AgentConfig config) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            Optional<ClusterSpec> spec = store.config();
            Optional<MemberSpec> me = spec.flatMap(s -> s.member(config.member()));
            if (me.isPresent()) {
                return me.get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("member " + config.member() + " is not in the configuration of cluster "
                + config.cluster());
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        try {
            loop.close();
            api.close();
            logRotation.close();
            lease.close();
            store.close();
        } finally {
            stopped.countDown();
        }
    }
}
