package dev.pgfly.agent.ha;

import dev.pgfly.agent.local.LocalPostgres;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.SyncState;
import dev.pgfly.postgres.PgProbe;
import dev.pgfly.postgres.ReplicaInfo;

import java.sql.SQLException;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keeps {@code synchronous_standby_names = ANY 1 (set)} and the recorded synchronous set in step,
 * so that the recorded set always contains every standby that may hold the newest acknowledged
 * commit (only those may be promoted).
 *
 * <p>Adding a standby: record it first, then let PostgreSQL wait for it. Removing one (it stopped
 * streaming): PostgreSQL first, and the record only once a remaining member has flushed everything
 * written up to the change, because until then the newest acknowledged commit may exist only on the
 * standby being removed. With no standby streaming, nothing changes and commits wait: strict mode.
 */
final class SyncStandbys {
    private final ClusterStore store;
    private final LocalPostgres local;
    private final String member;
    private Set<String> inPostgres = Set.of();
    private PendingRemoval pending;

    private record PendingRemoval(Set<String> keep, long fromLsn) {
    }

    SyncStandbys(ClusterStore store, LocalPostgres local, String member) {
        this.store = store;
        this.local = local;
        this.member = member;
    }

    private Set<String> eligibleStandbys(ClusterSpec spec) {
        return spec.members().stream()
                .filter(m -> !m.name().equals(member))
                .filter(m -> !m.noFailover() && !m.noSync() && Objects.equals(m.region(), spec.primaryRegion()))
                .map(MemberSpec::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The set a newly promoted primary starts with: every eligible standby, recorded before use. */
    Set<String> onPromotion(ClusterSpec spec, long term) {
        if (!spec.synchronous()) {
            inPostgres = Set.of();
            return inPostgres;
        }
        Set<String> all = eligibleStandbys(spec);
        store.putSyncState(new SyncState(member, term, all));
        inPostgres = all;
        pending = null;
        return inPostgres;
    }

    /** One step towards "the set = the eligible standbys that stream"; returns what PostgreSQL should use. */
    Set<String> reconcile(ClusterSpec spec, long term) throws SQLException {
        // Not the cycle's snapshot: this is the read-modify-write of the record only the primary writes, and
        // a promotion earlier in this same cycle (onPromotion) may have written it since the snapshot.
        SyncState recorded = store.syncState()
                .filter(s -> s.primary().equals(member) && s.term() == term).orElse(null);
        if (recorded == null) {
            return onPromotion(spec, term);
        }
        Set<String> eligible = eligibleStandbys(spec);
        Map<String, ReplicaInfo> streaming = local.sql().replicas().stream()
                .filter(r -> "streaming".equals(r.state()) && eligible.contains(r.applicationName()))
                .collect(Collectors.toMap(ReplicaInfo::applicationName, Function.identity(), (a, b) -> a));
        Set<String> recordedSet = new TreeSet<>(recorded.standbys());

        Set<String> toAdd = new TreeSet<>(streaming.keySet());
        toAdd.removeAll(recordedSet);
        if (!toAdd.isEmpty()) {
            recordedSet.addAll(toAdd);
            store.putSyncState(new SyncState(member, term, recordedSet));
            Set<String> widened = new HashSet<>(inPostgres);
            widened.addAll(toAdd);
            inPostgres = Set.copyOf(widened);
            pending = null;
            return inPostgres;
        }

        Set<String> keep = new TreeSet<>(recordedSet);
        keep.retainAll(streaming.keySet());
        if (keep.isEmpty() || keep.equals(recordedSet)) {
            pending = null;
            inPostgres = Set.copyOf(recordedSet.isEmpty() ? inPostgres : recordedSet);
            return inPostgres;
        }
        if (pending == null || !pending.keep().equals(keep)) {
            // Narrow PostgreSQL's list now; note the WAL position on the next cycle, once reloaded.
            pending = new PendingRemoval(keep, -1);
            inPostgres = Set.copyOf(keep);
            return inPostgres;
        }
        if (pending.fromLsn() < 0) {
            long now = local.probe().map(PgProbe::currentLsn).orElse(-1L);
            pending = new PendingRemoval(keep, now);
            return inPostgres;
        }
        long bestFlush = keep.stream().mapToLong(n -> streaming.get(n).flushLsn()).max().orElse(0);
        if (bestFlush >= pending.fromLsn()) {
            store.putSyncState(new SyncState(member, term, keep));
            pending = null;
        }
        return inPostgres;
    }
}
