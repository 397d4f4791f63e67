package dev.pgfly.node.install;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.StoreCredentials;
import dev.pgfly.core.coord.ZkTls;
import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.InstallationToken;
import dev.pgfly.core.tls.NodeApiTls;
import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.ensemble.EnsembleMembership;
import dev.pgfly.node.ensemble.EnsemblePeer;
import dev.pgfly.node.ensemble.PeerAddress;
import dev.pgfly.node.ensemble.PeerRole;
import dev.pgfly.node.ensemble.StandaloneData;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.InstallationTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's way into the installation's coordination store. The first node makes the installation (its id,
 * the store's credentials, the token other nodes join with) and starts a one-voter ensemble; a joining node
 * asks a node of the installation to admit it ({@code POST /v1/nodes/join} with the token), starts its own
 * peer with the ensemble it was told of, and adds itself by ZooKeeper's dynamic reconfiguration. What a node
 * learnt when it joined is kept in {@code daemon/installation.json}, so a restart needs no other node's API.
 *
 * <p>Embedded peers speak TLS between hosts, quorum and clients alike ({@link InstallationTls}): the first
 * node makes the installation's CA, a joiner receives it in its join answer, and every node issues its own
 * certificate for its address at start. The node's client, its agents and proxies connect with
 * {@link #tls()}. With an external store nothing changes: plain text, as that store is configured.
 */
public final class NodeStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeStore.class);
    public static final String ROOT = "/pgfly";

    /** What a node keeps of its admission (0600: no secret in it, but nobody else's business). */
    /**
     * @param storeTls whether the store speaks TLS with the installation CA (the embedded peers do, an external
     *                 store does not); null in admissions written before the nodes' API spoke TLS, when
     *                 holding a CA meant exactly that
     */
    record Admission(String installationId, int peerId, String storeRole, List<String> peers, String store, boolean added,
                     Boolean storeTls) {
        Admission markAdded() {
            return new Admission(installationId, peerId, storeRole, peers, store, true, storeTls);
        }

        Admission withPeers(List<String> now) {
            return new Admission(installationId, peerId, storeRole, now, store, added, storeTls);
        }
    }

    private final DcsAddress dcs;
    private final StoreCredentials credentials;
    private final String installationToken;
    private final String installationId;
    private final int peerId;
    private final String storeRole;
    private final EnsemblePeer peer;
    private final InstallationTls installationTls;
    private final ZkTls tls;
    /** Where the admission is kept, and the ensemble as last seen: a restart connects to all of it. */
    private PgflyHome home;
    private Admission admission;

    private NodeStore(DcsAddress dcs, StoreCredentials credentials, String installationToken, String installationId,
                      int peerId, String storeRole, EnsemblePeer peer, InstallationTls installationTls, ZkTls tls) {
        this.dcs = dcs;
        this.credentials = credentials;
        this.installationToken = installationToken;
        this.installationId = installationId;
        this.peerId = peerId;
        this.storeRole = storeRole;
        this.peer = peer;
        this.installationTls = installationTls;
        this.tls = tls;
    }

    public static Path admissionFile(PgflyHome home) {
        return home.daemonDir().resolve("installation.json");
    }

    public static Path installationTokenFile(PgflyHome home) {
        return home.daemonDir().resolve("installation.token");
    }

    public static NodeStore open(PgflyHome home, NodeConfig config) throws Exception {
        Admission admission = Files.exists(admissionFile(home)) ? Json.read(Files.readAllBytes(admissionFile(home)), Admission.class)
                : admit(home, config);
        StoreCredentials credentials = StoreCredentials.readFrom(home.storeCredentialsFile());
        String token = Files.readString(installationTokenFile(home)).strip();
        InstallationTls installationTls = InstallationTls.of(home);
        if (!installationTls.hasCa()) {
            throw new IllegalStateException("no installation CA in " + installationTls.directory() + ": this node's"
                    + " installation was made before its API and peers spoke TLS; make it again (pgfly node init / join)");
        }
        // One certificate for the node's API and, when the store is embedded, its ZooKeeper peer and clients.
        ZkTls nodeCertificate = installationTls.ensureNodeCertificate(config.name(), config.address());
        if (!config.embedsStore() || admission.store() != null) {
            String store = admission.store() != null ? admission.store() : config.store();
            boolean storeTls = admission.storeTls() != null ? admission.storeTls() : admission.store() != null && config.embedsStore();
            return new NodeStore(DcsAddress.parse(store), credentials, token, admission.installationId(), 0, "client", null,
                    installationTls, storeTls ? nodeCertificate : null);
        }
        ZkTls tls = nodeCertificate;
        PeerRole role = admission.storeRole().equals("observer") ? PeerRole.OBSERVER : PeerRole.VOTER;
        PeerAddress self = new PeerAddress(admission.peerId(), config.address(), config.quorumPort(), config.electionPort(),
                config.clientPort(), role);
        List<PeerAddress> others = admission.peers().stream().map(PeerAddress::parse).filter(p -> p.id() != self.id()).toList();
        List<PeerAddress> initial = new ArrayList<>(others);
        initial.add(self);
        if (config.join() == null && StandaloneData.present(home.zookeeperDir())) {
            // The first node of a home that ran one-host clusters: their coordination state goes on in the peer.
            StandaloneData.moveToPeer(home.zookeeperDir());
        }
        EnsemblePeer peer = EnsemblePeer.start(home.zookeeperDir(), self, initial, credentials, tls);
        if (!admission.added() && !others.isEmpty()) {
            // The new peer runs and follows the leader as a non-member; reconfiguration makes it a member.
            try (EnsembleMembership membership = new EnsembleMembership(EnsembleMembership.connectString(others), credentials, tls)) {
                membership.add(self);
            }
            admission = admission.markAdded();
            Secrets.writePrivate(admissionFile(home), Json.text(admission));
            log.info("joined the ensemble as server {} ({})", self.id(), role);
        }
        NodeStore opened = new NodeStore(new DcsAddress(EnsembleMembership.connectString(initial), ROOT), credentials, token,
                admission.installationId(), self.id(), admission.storeRole(), peer, installationTls, tls);
        opened.home = home;
        opened.admission = admission;
        return opened;
    }

    /** First start: make the installation (no {@code join}), or be admitted by the node {@code join} names. */
    private static Admission admit(PgflyHome home, NodeConfig config) throws Exception {
        Admission admission;
        if (config.join() == null) {
            if (!Files.exists(home.storeCredentialsFile())) {
                StoreCredentials.generate("pgfly").writeTo(home.storeCredentialsFile());
            }
            // else a one-host home becoming a node: its store data (moved to the peer) is under ACLs for that identity
            Secrets.writePrivate(installationTokenFile(home), Secrets.random(40));
            String id = Secrets.random(12).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "x");
            // the CA signs every node's API certificate; with embedded peers, their ZooKeeper certificates too
            InstallationTls.of(home).createCa(id);
            PeerAddress self = new PeerAddress(1, config.address(), config.quorumPort(), config.electionPort(),
                    config.clientPort(), PeerRole.VOTER);
            admission = config.embedsStore() ? new Admission(id, 1, "voter", List.of(self.serverLine()), null, true, true)
                    : new Admission(id, 0, "client", List.of(), config.store(), true, false);
        } else {
            // the whole token, as `node join` wrote it: its CA fingerprint is what the first call trusts
            InstallationToken token = InstallationToken.parse(Files.readString(installationTokenFile(home)));
            JoinAnswer answer = askToJoin(config, token);
            if (answer.caCertificate() == null || answer.caKey() == null) {
                throw new IllegalStateException("the node at " + config.join() + " sent no installation CA (a pgfly of"
                        + " another version?)");
            }
            if (!InstallationToken.fingerprint(ClusterCa.parseCertificate(answer.caCertificate())).equals(token.caFingerprint())) {
                throw new IllegalStateException("the node at " + config.join() + " sent a CA other than the one the token names");
            }
            InstallationTls.of(home).keepCa(answer.caCertificate(), answer.caKey());
            new StoreCredentials(answer.storeUser(), answer.storePassword()).writeTo(home.storeCredentialsFile());
            Secrets.writePrivate(installationTokenFile(home), answer.installationToken());
            boolean storeTls = Boolean.TRUE.equals(answer.storeTls());
            admission = new Admission(answer.installationId(), answer.peerId(), answer.storeRole(), answer.peers(),
                    answer.store(), answer.peerId() == 0, storeTls);
        }
        Secrets.writePrivate(admissionFile(home), Json.text(admission));
        return admission;
    }

    /** Over TLS, trusting only the CA the token names: the answer carries the store's password and the CA key. */
    private static JoinAnswer askToJoin(NodeConfig config, InstallationToken token) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .sslContext(NodeApiTls.pinning(token.caFingerprint())).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + config.join() + "/v1/nodes/join"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token.secret())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(JoinRequest.of(config))))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the node at " + config.join() + ": " + e.getMessage());
        }
        if (response.statusCode() != 200) {
            String why = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
            try {
                why = Json.MAPPER.readTree(response.body()).get("error").asString();
            } catch (RuntimeException e) {
                // not JSON: keep the raw text
            }
            throw new IllegalStateException("the node at " + config.join() + " refused to admit this one: " + why);
        }
        return Json.read(response.body(), JoinAnswer.class);
    }

    public DcsAddress dcs() {
        return dcs;
    }

    public StoreCredentials credentials() {
        return credentials;
    }

    public String installationToken() {
        return installationToken;
    }

    public String installationId() {
        return installationId;
    }

    public int peerId() {
        return peerId;
    }

    /** Where this node's ZooKeeper peer stands ("leading", "following"...), or "" when it runs none. */
    public String peerState() {
        return peer == null ? "" : peer.state().name().toLowerCase(java.util.Locale.ROOT);
    }

    public String storeRole() {
        return storeRole;
    }

    /** How this node's processes reach the store: TLS with the node's files, or null (an external store). */
    public ZkTls tls() {
        return tls;
    }

    /** The installation's CA and this node's certificate (what a node it admits receives). */
    public InstallationTls installationTls() {
        return installationTls;
    }

    /** The store's servers now (the ensemble grows as nodes join), as agents started from now on should get. */
    public DcsAddress currentDcs(org.apache.curator.framework.CuratorFramework client) {
        if (peer == null) {
            return dcs;
        }
        try {
            List<PeerAddress> current = new EnsembleMembership(client).current();
            rememberPeers(current);
            return new DcsAddress(EnsembleMembership.connectString(current), ROOT);
        } catch (RuntimeException e) {
            return dcs;
        }
    }

    /**
     * Keeps the ensemble as it is now in installation.json: a node that joined when the ensemble had one voter
     * must, when it restarts, know every voter that joined after it (its first connect string would name only
     * the voters of its admission, and with those down it would reach only its own peer).
     */
    private synchronized void rememberPeers(List<PeerAddress> current) {
        if (home == null || admission == null || current.isEmpty()) {
            return;
        }
        List<String> lines = current.stream().map(PeerAddress::serverLine).toList();
        if (lines.equals(admission.peers())) {
            return;
        }
        try {
            Admission updated = admission.withPeers(lines);
            Secrets.writePrivate(admissionFile(home), Json.text(updated));
            admission = updated;
        } catch (java.io.IOException e) {
            log.warn("cannot keep the ensemble in {}: {}", admissionFile(home), e.toString());
        }
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.close();
        }
    }
}
