package dev.pgfly.node.install;

import java.util.List;

/**
 * What a node admitted to the installation receives (over the joined node's API, with the installation's
 * token): the store's identity, the ensemble as it is, and its own place in it.
 *
 * @param peers     the ensemble's server lines now (ZooKeeper's {@code server.N=...} format); empty with an
 *                  external store
 * @param peerId    the new node's server id (0: it runs no peer)
 * @param storeRole {@code voter}, {@code observer} or {@code client}
 * @param store     the external store's address ({@code zk://...}), or null when the nodes embed it
 * @param caCertificate the installation CA's certificate (PEM): the nodes' API and the embedded peers speak
 *                  TLS, trusting only this CA; its fingerprint must be the one the joiner's token names
 * @param caKey     the CA's private key (PKCS#8 PEM), so that the new node issues its own certificate, and
 *                  later admits other nodes, without the node that made the installation (see
 *                  dev.pgfly.node.tls.InstallationTls for why every node holds it)
 * @param storeTls  whether the store speaks TLS with that CA (embedded peers) or not (an external store)
 */
public record JoinAnswer(String installationId, String storeUser, String storePassword, String installationToken,
                         List<String> peers, int peerId, String storeRole, String store, String caCertificate,
                         String caKey, Boolean storeTls) {
}
