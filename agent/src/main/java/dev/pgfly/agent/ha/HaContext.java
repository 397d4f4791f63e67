package dev.pgfly.agent.ha;

import dev.pgfly.agent.local.LocalPostgres;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.ha.CycleOutcome;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.postgres.PgInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

/**
 * What the parts of one member's HA loop share: its collaborators, the state it publishes, and the few
 * facts a cycle hands to the next (term, upstream, the primary's last known position, how the last stop
 * went). Every part runs on the loop's single thread; fields other threads read are volatile.
 */
final class HaContext {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(HaContext.class);

    final String member;
    final Duration loopInterval;
    final ClusterStore store;
    final LocalPostgres local;
    final PgInstance pg;
    final LeaseKeeper lease;
    final PeerClient peers = new PeerClient();
    final SyncStandbys sync;
    final DataDirMarks marks;

    /** What the member publishes: the last cycle's outcome, or the step a long one is at now. One volatile pair. */
    private volatile CycleOutcome published = CycleOutcome.of(MemberState.STARTING, null);
    volatile long term;
    /** The leader this member follows, or null when it leads or nobody does. */
    volatile String upstream;
    volatile long lastKnownPrimaryPosition;
    /** Set after a planned switchover: the shutdown checkpoint reached the new primary, no rewind needed (S5). */
    volatile boolean formerPrimaryCleanlyStopped;
    /** The last pg_rewind found nothing to do: if streaming still fails, only a re-clone helps. */
    boolean rewoundWithoutEffect;
    volatile HaObserver observer = HaObserver.NONE;

    HaContext(String member, Duration loopInterval, ClusterStore store, LocalPostgres local, LeaseKeeper lease) {
        this.member = member;
        this.loopInterval = loopInterval;
        this.store = store;
        this.local = local;
        this.pg = local.instance();
        this.lease = lease;
        this.sync = new SyncStandbys(store, local, member);
        this.marks = new DataDirMarks(pg);
    }

    /**
     * The step a cycle has reached, before work that takes long (a clone, a rewind, a start): the API
     * answers with it while the cycle runs. The cycle's own result is the {@link CycleOutcome} it returns.
     */
    void progress(MemberState step, String why) {
        progress(CycleOutcome.of(step, why));
    }

    void progress(CycleOutcome step) {
        published = step;
    }

    /** Records what a cycle did (or what happened outside one: fencing); published with the member's status. */
    void settle(CycleOutcome outcome) {
        published = outcome;
    }

    CycleOutcome published() {
        return published;
    }

    MemberState state() {
        return published.state();
    }

    String detail() {
        return published.detail();
    }

    /** A data directory without PG_VERSION is an interrupted initdb or clone, never a database: safe to clear. */
    void clearIncompleteDataDir() throws IOException {
        if (!pg.hasData()) {
            FileTrees.deleteContents(pg.dataDir());
        }
        pg.data().prepareDirectories();
    }

    void event(String kind, String reason) {
        log.info("event {}: {}", kind, reason);
        store.recordEvent(new Event(System.currentTimeMillis(), kind, member, term, reason));
        observer.eventRecorded(kind);
    }
}
