package dev.pgfly.node.install;

import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.node.ensemble.EnsembleMembership;
import dev.pgfly.node.ensemble.EnsemblePlan;
import dev.pgfly.node.ensemble.PeerAddress;
import dev.pgfly.node.ensemble.PeerRole;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.tls.InstallationTls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What any node answers for the installation: admitting a node, listing nodes, draining and removing one.
 * Any node can do it (no node is special): everything it needs is in the store.
 */
public final class InstallationService {
    /** Voters the embedded ensemble grows to; later nodes observe (they read locally, and do not slow writes). */
    public static final int TARGET_VOTERS = 3;

    private final Installation installation;
    private final NodeStore store;
    private final EnsembleMembership ensemble;

    public InstallationService(Installation installation, NodeStore store, EnsembleMembership ensemble) {
        this.installation = installation;
        this.store = store;
        this.ensemble = ensemble;
    }

    public synchronized JoinAnswer admit(JoinRequest request) throws Exception {
        NodeConfig asked = request.asConfig().validated();
        List<NodeRecord> nodes = installation.nodes();
        NodeAdmission.refusal(request, nodes).ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
        StoreCredentials credentials = store.credentials();
        if (ensemble == null || !request.embedsStore()) {
            installation.putNode(NodeRecord.of(asked, 0, "client"));
            // every node needs the CA for the API; a client of the embedded peers for the store as well
            InstallationTls tls = store.installationTls();
            return new JoinAnswer(store.installationId(), credentials.user(), credentials.password(),
                    store.installationToken(), List.of(), 0, "client", store.dcs().toString(),
                    tls.caCertificatePem(), tls.caKeyPem(), store.tls() != null);
        }
        List<PeerAddress> current = ensemble.current();
        int id = NodeAdmission.nextPeerId(nodes, current.stream().map(PeerAddress::id).toList());
        // A witness exists to vote; any other node votes while the ensemble is short of its target.
        PeerRole role = request.witness() ? PeerRole.VOTER : EnsemblePlan.roleForNewNode(current, TARGET_VOTERS);
        String roleName = role == PeerRole.VOTER ? "voter" : "observer";
        installation.putNode(NodeRecord.of(asked, id, roleName));
        InstallationTls tls = store.installationTls();
        return new JoinAnswer(store.installationId(), credentials.user(), credentials.password(), store.installationToken(),
                current.stream().map(PeerAddress::serverLine).toList(), id, roleName, null, tls.caCertificatePem(),
                tls.caKeyPem(), true);
    }

    public List<NodeView> list() throws Exception {
        Map<String, String> up = installation.storeStates();
        Map<String, List<String>> members = new TreeMap<>();
        for (LocalCluster c : installation.clusters()) {
            c.placement().forEach((member, node) -> members.computeIfAbsent(node, n -> new ArrayList<>())
                    .add(c.spec().name() + "/" + member));
        }
        List<NodeView> views = new ArrayList<>();
        for (NodeRecord n : installation.nodes()) {
            views.add(new NodeView(n.name(), n.address(), n.region(), n.zone(), up.containsKey(n.name()), n.witness(),
                    n.drained(), n.storeRole(), up.getOrDefault(n.name(), ""), members.getOrDefault(n.name(), List.of()), n.apiEndpoint()));
        }
        return views;
    }

    public NodeRecord drain(String name, boolean drained) throws Exception {
        NodeRecord n = installation.node(name).orElseThrow(() -> new java.util.NoSuchElementException("no node named '" + name + "'"));
        NodeRecord updated = n.withDrained(drained);
        installation.putNode(updated);
        return updated;
    }

    /** Refused while the node runs members; its ZooKeeper peer leaves the ensemble first. */
    public void remove(String name) throws Exception {
        NodeRecord n = installation.node(name).orElseThrow(() -> new java.util.NoSuchElementException("no node named '" + name + "'"));
        List<String> held = list().stream().filter(v -> v.name().equals(name)).findFirst().map(NodeView::members).orElse(List.of());
        if (!held.isEmpty()) {
            throw new IllegalStateException("node '" + name + "' runs " + held.size() + " member(s) (" + String.join(", ", held)
                    + "): remove or move them first");
        }
        if (n.peerId() > 0 && ensemble != null && ensemble.current().stream().anyMatch(p -> p.id() == n.peerId())) {
            ensemble.remove(n.peerId());
        }
        installation.removeNode(name);
    }
}
