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
 */
public record JoinAnswer(String installationId, String storeUser, String storePassword, String installationToken,
                         List<String> peers, int peerId, String storeRole, String store) {
}
