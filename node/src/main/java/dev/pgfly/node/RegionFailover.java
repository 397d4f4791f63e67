package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.ha.ClusterSnapshot;
import dev.pgfly.core.ha.OtherRegionFailover;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.Lsn;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.node.api.RegionFailoverResult;
import dev.pgfly.node.home.LocalCluster;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code pgfly failover NAME --to M --allow-other-region}: disaster recovery when no member of the primary region
 * can lead. The pure {@link OtherRegionFailover} decides; this writes it. Order matters: the switchover request
 * naming M goes first, then the configuration with M's region as the primary one, so that when the agents of M's
 * region become eligible they already know that only M may promote (never the first of them to look).
 */
final class RegionFailover {
    private static final Duration PROMOTION_WAIT = Duration.ofSeconds(90);

    private final ClusterParts parts;

    RegionFailover(ClusterParts parts) {
        this.parts = parts;
    }

    RegionFailoverResult failover(String name, String to) throws Exception {
        return parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name);
            try (ClusterStore store = parts.stores().open(name)) {
                ClusterSnapshot snapshot = ClusterSnapshot.read(store);
                ClusterSpec spec = snapshot.spec() == null ? cluster.spec() : snapshot.spec();
                if (snapshot.pausedAt(System.currentTimeMillis()) != null) {
                    throw new IllegalStateException("cluster '" + name + "' is paused: resume it first ('pgfly resume " + name + "')");
                }
                String leader = Optional.ofNullable(snapshot.leader()).map(LeaderRecord::member).orElse(null);
                OtherRegionFailover.Verdict verdict = OtherRegionFailover.decide(spec, leader,
                        m -> snapshot.member(m).orElse(null), to);
                if (verdict instanceof OtherRegionFailover.Refused refused) {
                    throw new IllegalStateException("refused: " + refused.reason());
                }
                OtherRegionFailover.Allowed allowed = (OtherRegionFailover.Allowed) verdict;
                String formerRegion = spec.primaryRegion();
                long requested = System.currentTimeMillis();
                long termBefore = store.currentTerm();
                store.requestSwitchover(new SwitchoverRequest(snapshot.lastLeader(), to, requested));
                ClusterSpec moved = spec.withPrimaryRegion(allowed.region());
                parts.records().save(cluster.withSpec(moved));
                store.putConfig(moved);
                String lost = "anything the primary region committed after " + Lsn.format(allowed.targetWal())
                        + " (what " + to + " had replayed) is lost";
                store.recordEvent(new Event(requested, "region-failover", to, termBefore, "the primary region moves from "
                        + formerRegion + " to " + allowed.region() + " (--allow-other-region): " + to + " is promoted; " + lost));
                long deadline = requested + PROMOTION_WAIT.toMillis();
                while (System.currentTimeMillis() < deadline) {
                    Optional<LeaderRecord> now = store.leader();
                    if (now.isPresent() && now.get().ready() && now.get().member().equals(to) && now.get().term() > termBefore) {
                        store.clearSwitchover();
                        return new RegionFailoverResult(to, formerRegion, allowed.region(), now.get().term(),
                                Lsn.format(allowed.targetWal()));
                    }
                    Thread.sleep(100);
                }
                throw new IllegalStateException(to + " was not promoted within " + PROMOTION_WAIT.toSeconds()
                        + " s (the primary region is now " + allowed.region() + "); see 'pgfly events " + name + "'");
            }
        });
    }
}
