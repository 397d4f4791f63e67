package dev.pgfly.node;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.core.util.FileTrees;
import dev.pgfly.core.util.Names;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberTagsUpdate;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.ClusterTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Who is in a cluster and who leads it: members added and removed, switchovers asked of the agents. */
final class Membership {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);


    private final ClusterParts parts;
    private final ClusterPoolers poolers;

    Membership(ClusterParts parts, ClusterPoolers poolers) {
        this.parts = parts;
        this.poolers = poolers;
    }

    ClusterView addMember(String name, String region, String node, boolean sameHost) throws Exception {
        return parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name);
            if (!cluster.running()) {
                throw new IllegalStateException("cluster '" + name + "' is stopped: start it first");
            }
            String r = Names.requireRegion(region == null ? cluster.spec().primaryRegion() : region);
            Set<String> used = new HashSet<>();
            cluster.spec().members().forEach(m -> used.add(m.name()));
            int k = 1;
            while (used.contains("m" + k)) {
                k++;
            }
            if (k > 9) {
                throw new IllegalStateException("at most 9 members in local mode");
            }
            MemberSpec added;
            LocalCluster updated;
            if (cluster.spansNodes()) {
                // Placed on a node of its region that runs none of the cluster's members (unless asked).
                String on = parts.allocation().placeMembers(parts.records().all(), 1, r,
                        new HashSet<>(cluster.placement().values()), node, sameHost).getFirst();
                added = Allocation.placedMember(cluster.index(), k, r, parts.allocation().nodeRecord(on));
                Map<String, String> placement = new java.util.TreeMap<>(cluster.placement());
                placement.put(added.name(), on);
                updated = cluster.withSpec(cluster.spec().withMember(added)).withPlacement(placement);
            } else {
                if (node != null) {
                    throw new IllegalArgumentException("--node is for installations of several nodes (pgfly node init): this host runs every member");
                }
                added = parts.allocation().newMember(cluster.index(), k, r);
                updated = cluster.withSpec(cluster.spec().withMember(added));
            }
            if (!cluster.spansNodes() && !r.equals(cluster.spec().primaryRegion()) && !cluster.regionProxies().containsKey(r)) {
                // A region's first member gets that region's proxy, which prefers its replicas.
                updated = parts.allocation().withRegionProxy(cluster, updated, r);
            }
            parts.records().save(updated);
            try (ClusterStore store = parts.stores().open(name)) {
                store.putConfig(updated.spec());
            }
            parts.supervision().startChildren(updated);
            parts.readiness().awaitMemberStreaming(name, added.name(), 600_000);
            parts.stores().record(name, "member-add", added.name(), "member added in region " + r);
            return parts.views().view(updated);
        });
    }

    ClusterView removeMember(String name, String member) throws Exception {
        return parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name);
            if (cluster.spec().member(member).isEmpty()) {
                throw new IllegalArgumentException("cluster '" + name + "' has no member '" + member + "'");
            }
            if (cluster.spec().members().size() == 1) {
                throw new IllegalArgumentException("cannot remove the last member: destroy the cluster instead");
            }
            try (ClusterStore store = parts.stores().open(name)) {
                if (store.leader().map(l -> l.member().equals(member)).orElse(false)) {
                    switchoverLocked(cluster, null);
                }
                parts.supervision().stopChild(name, member, 90);
                LocalCluster updated = cluster.withSpec(cluster.spec().withoutMember(member));
                if (cluster.spansNodes()) {
                    Map<String, String> placement = new java.util.TreeMap<>(cluster.placement());
                    placement.remove(member);
                    updated = updated.withPlacement(placement);
                }
                String region = cluster.spec().member(member).orElseThrow().region();
                if (updated.regionProxies().containsKey(region)
                        && updated.spec().members().stream().noneMatch(m -> m.region().equals(region))) {
                    // The region's last member is gone: so is its proxy.
                    parts.supervision().stopChild(name, "proxy-" + region, 20);
                    Map<String, Integer> proxies = new java.util.TreeMap<>(updated.regionProxies());
                    proxies.remove(region);
                    updated = updated.withRegionProxies(proxies);
                }
                parts.records().save(updated);
                store.putConfig(updated.spec());
                store.removeMemberStatus(member);
                // Its data goes where it ran: here, or (in an installation) on its node, whose reconciler
                // stops the agent and then deletes the directory.
                if (parts.thisNode().runs(cluster, member)) {
                    Path memberDir = Supervision.memberDir(cluster, member);
                    keepRemovedMemberLogs(name, member, memberDir);
                    FileTrees.delete(memberDir);
                }
                parts.tls().forget(name, member);
                parts.stores().record(name, "member-remove", member, "member removed; its replication slot is dropped by the primary");
                return parts.views().view(updated);
            }
        });
    }

    /**
     * Changes a member's tags in the cluster's record and in the store, where the agents read them on their
     * next cycle: the failover policy and the synchronous set follow (a member tagged {@code nofailover} or
     * {@code nosync} leaves the synchronous set the safe way, PostgreSQL first, the record once caught up).
     * Tagging the only member that may lead with {@code nofailover} is refused: the cluster could then not
     * fail over at all.
     */
    ClusterView updateMember(String name, String member, MemberTagsUpdate update) throws Exception {
        update.validate();
        return parts.locks().locked(name, () -> {
            LocalCluster cluster = parts.records().load(name);
            MemberSpec current = cluster.spec().member(member).orElseThrow(() ->
                    new IllegalArgumentException("cluster '" + name + "' has no member '" + member + "'"));
            MemberSpec tagged = current.withTags(
                    update.failoverPriority() != null ? update.failoverPriority() : current.priority(),
                    update.noFailover() != null ? update.noFailover() : current.noFailover(),
                    update.noSync() != null ? update.noSync() : current.noSync());
            ClusterSpec spec = cluster.spec().replacingMember(tagged);
            boolean anyMayLead = spec.members().stream()
                    .anyMatch(m -> !m.noFailover() && java.util.Objects.equals(m.region(), spec.primaryRegion()));
            if (!anyMayLead) {
                throw new IllegalArgumentException("refusing to tag " + member + " nofailover: no member of the primary"
                        + " region could lead then");
            }
            LocalCluster updated = cluster.withSpec(spec);
            parts.records().save(updated);
            try (ClusterStore store = parts.stores().open(name)) {
                store.putConfig(spec);
            }
            String tags = tagged.tags();
            parts.stores().record(name, "member-update", member, "tags now: " + (tags.isEmpty() ? "none" : tags));
            return parts.views().view(updated);
        });
    }

    String switchover(String name, String to) throws Exception {
        return parts.locks().locked(name, () -> switchoverLocked(parts.records().load(name), to));
    }

    /** Asks the agents for a switchover and waits for a new leader's term; the caller holds the cluster's lock. */
    String switchoverLocked(LocalCluster cluster, String to) throws Exception {
        String name = cluster.spec().name();
        if (cluster.spec().members().size() < 2) {
            throw new IllegalStateException("cluster '" + name + "' has one member: add one with 'pgfly member add " + name + "'");
        }
        try (ClusterStore store = parts.stores().open(name)) {
            LeaderRecord leader = store.leader().filter(LeaderRecord::ready)
                    .orElseThrow(() -> new IllegalStateException("cluster '" + name + "' has no primary right now"));
            if (to != null) {
                MemberSpec target = cluster.spec().member(to).orElseThrow(() ->
                        new IllegalArgumentException("cluster '" + name + "' has no member '" + to + "'"));
                if (target.name().equals(leader.member())) {
                    throw new IllegalArgumentException(to + " is already the primary");
                }
            }
            // Pooled clients see a pause, not an error: their poolers hold them through the handover. (The
            // block below is not re-indented, so that merges with other changes to it stay easy.)
            try (var pause = poolers.pauseForSwitchover(cluster)) {
            long requested = System.currentTimeMillis();
            store.requestSwitchover(new SwitchoverRequest(leader.member(), to, requested));
            long deadline = requested + 90_000;
            while (System.currentTimeMillis() < deadline) {
                Optional<LeaderRecord> now = store.leader();
                if (now.isPresent() && now.get().ready() && now.get().term() > leader.term()) {
                    poolers.resumeAfterSwitchover(cluster, pause);
                    return now.get().member();
                }
                Optional<Event> refusal = store.events(20).stream()
                        .filter(e -> e.time() >= requested)
                        .filter(e -> e.kind().equals("switchover-refused") || e.kind().equals("switchover-aborted"))
                        .reduce((a, b) -> b);
                if (refusal.isPresent()) {
                    throw new IllegalStateException("switchover refused: " + refusal.get().reason());
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("switchover did not complete within 90 s; see 'pgfly events " + name + "'");
            }
        }
    }

    /** A removed member's logs, which go with its directory, are what tells why its removal took long. */
    private void keepRemovedMemberLogs(String name, String member, Path memberDir) {
        Path logs = parts.home().clusterDir(name).resolve("logs");
        try {
            KeptLogs.keepRemovedMember(memberDir, logs.resolve(member + "-agent.log"),
                    parts.home().clusterDir(name).resolve("removed-members").resolve(member));
        } catch (IOException e) {
            log.warn("could not keep the logs of removed member {}/{}: {}", name, member, e.toString());
        }
    }
}
