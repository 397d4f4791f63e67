package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.install.Installation;
import dev.pgfly.node.install.NodeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upgrading a one-host home to the first node of an installation ({@code pgfly node init} on a home that runs
 * one-host clusters): each cluster whose record is only on this disk ({@code clusters/NAME/cluster.json}, no
 * placement) moves into the store, its members placed on this node, so that the node's reconciler runs it.
 *
 * <p>What stays: the data directories (the record's {@code dataRoot}), the data, the secrets and passwords
 * (shared into the store as any installation's cluster's are), the cluster's index and the ports clients use
 * (proxy, replica, pooler, proxy metrics, other regions' proxies), and the coordination state (the one-host
 * ZooKeeper's files became the node's peer's: {@code ensemble.StandaloneData}). What changes: every member
 * and the proxy listen on the node's address instead of their own loopback address, the members on the
 * ports an installation gives cluster {@code index} (its members share one address now, where each had its
 * own); replicas follow the new leader record, and member certificates are issued again for the new
 * address, both as for any member whose record changed. Every member is on this one node, so {@code status}
 * says the cluster does not survive the loss of the host, as for any cluster made with {@code --same-host}.
 *
 * <p>Idempotent and crash-safe: the record in the store is written last, so a cluster whose adoption did
 * not finish is adopted again at the next start, and one already in the store is left to the reconciler.
 * A cluster that cannot be adopted is logged with the reason and left exactly as it was on disk (the
 * reconciler never reads a one-host record as a destroyed cluster).
 */
final class HomeAdoption {
    private static final Logger log = LoggerFactory.getLogger(HomeAdoption.class);
    private static final Pattern NUMBERED_MEMBER = Pattern.compile("m([0-9]{1,3})");

    /** What the node does with one record it finds on its disk. */
    enum Step {
        /** A one-host record the store does not have: adopt it. */
        ADOPT,
        /** Adopted before (the store has it): the reconciler runs it. */
        ALREADY_IN_STORE,
        /** A node's local copy of an installation's record: nothing to adopt. */
        PLACED_COPY
    }

    private final ClusterParts parts;
    private final Installation installation;

    HomeAdoption(ClusterParts parts, Installation installation) {
        this.parts = parts;
        this.installation = installation;
    }

    static Step step(LocalCluster onDisk, Set<String> inStore) {
        if (inStore.contains(onDisk.spec().name())) {
            return Step.ALREADY_IN_STORE;
        }
        return onDisk.spansNodes() ? Step.PLACED_COPY : Step.ADOPT;
    }

    /**
     * {@code oneHost}'s record as a cluster of the installation: every member on {@code node}, at its address, on
     * the ports an installation gives the cluster's index; the proxy on the node's address, on its own ports.
     */
    static LocalCluster placedOnNode(LocalCluster oneHost, NodeRecord node) {
        ClusterSpec spec = oneHost.spec();
        List<MemberSpec> members = new ArrayList<>();
        Map<String, String> placement = new TreeMap<>();
        Set<Integer> numbers = new HashSet<>();
        for (MemberSpec m : spec.members()) {
            int k = memberNumber(m.name(), numbers);
            MemberSpec placed = Allocation.placedMember(oneHost.index(), k, m.region(), node);
            members.add(new MemberSpec(m.name(), placed.host(), placed.pgPort(), placed.apiPort(), m.region(), m.priority(),
                    m.noFailover(), m.noSync()));
            placement.put(m.name(), node.name());
        }
        ClusterSpec moved = new ClusterSpec(spec.name(), spec.config(), spec.primaryRegion(), spec.synchronous(),
                spec.maxLagBytes(), node.address(), spec.proxyPort(), spec.replicaPort(), spec.pgMajor(), members, spec.settings(),
                spec.idleTimeoutSeconds(), spec.tls(), spec.pooler());
        return oneHost.withSpec(moved).withPlacement(placement);
    }

    /** {@code mK}'s K when free (members are named so), else the first number no other member has. */
    private static int memberNumber(String name, Set<Integer> taken) {
        Matcher m = NUMBERED_MEMBER.matcher(name);
        if (m.matches() && Integer.parseInt(m.group(1)) > 0 && Integer.parseInt(m.group(1)) < 10
                && taken.add(Integer.parseInt(m.group(1)))) {
            return Integer.parseInt(m.group(1));
        }
        for (int k = 1; k < 10; k++) {
            if (taken.add(k)) {
                return k;
            }
        }
        throw new IllegalArgumentException("more than 9 members: no ports for them in the installation's scheme");
    }

    /**
     * Adopts every one-host cluster of this home not in the store yet; returns the names adopted now. Called
     * before the reconciler starts, so that it finds them placed.
     */
    List<String> adoptAll() {
        List<String> adopted = new ArrayList<>();
        Set<String> inStore;
        try {
            inStore = new HashSet<>(installation.clusters().stream().map(c -> c.spec().name()).toList());
        } catch (Exception e) {
            log.error("cannot read the installation's clusters, so no one-host cluster is adopted at this start: {}", e.toString());
            return adopted;
        }
        List<String> recorded;
        try {
            recorded = parts.home().recordedClusters();
        } catch (IOException e) {
            log.error("cannot list {}: {}", parts.home().clustersDir(), e.toString());
            return adopted;
        }
        for (String name : recorded) {
            Path file = parts.home().clusterFile(name);
            LocalCluster onDisk;
            try {
                onDisk = ClusterRecords.read(file);
            } catch (IOException | RuntimeException e) {
                log.error("{}: cannot read {} ({}); this cluster is not adopted and its directory is left as it was",
                        name, file, e.toString());
                continue;
            }
            if (step(onDisk, inStore) != Step.ADOPT) {
                continue;
            }
            try {
                parts.locks().locked(name, () -> {
                    adopt(onDisk);
                    return null;
                });
                adopted.add(name);
            } catch (Exception e) {
                log.error("{}: could not adopt this one-host cluster ({}); its directory is left as it was, and the"
                        + " node tries again at its next start", name, e.toString());
            }
        }
        return adopted;
    }

    private void adopt(LocalCluster oneHost) throws IOException {
        String name = oneHost.spec().name();
        NodeRecord node = parts.allocation().nodeRecord(parts.thisNode().name());
        LocalCluster placed = placedOnNode(oneHost, node);
        // Secrets first, then the coordination config agents read, then the record: the record is the commit.
        parts.records().shareFiles(name);
        try (ClusterStore store = parts.stores().open(name)) {
            store.putConfig(placed.spec());
        }
        parts.records().save(placed);
        String members = String.join(", ", placed.placement().keySet());
        String why = "one-host cluster adopted by node " + parts.thisNode().name() + ": member(s) " + members
                + " placed on it at " + parts.thisNode().address() + ", same data, secrets and client ports";
        parts.stores().record(name, "adopt", null, why);
        log.info("{}: {}", name, why);
        try {
            // New certificates name the node's address; the store gets them as it got the rest of the secrets.
            parts.tls().ensureMemberCertificates(placed);
            parts.records().shareFiles(name);
        } catch (IOException | RuntimeException e) {
            log.warn("{}: member certificates not renewed yet ({}); the reconciler issues them when it starts the members",
                    name, e.toString());
        }
    }

    /** A local record that the store does not hold and no node placed: a one-host cluster awaiting adoption. */
    static boolean awaitsAdoption(Optional<LocalCluster> localCopy) {
        return localCopy.isPresent() && !localCopy.get().spansNodes();
    }
}
