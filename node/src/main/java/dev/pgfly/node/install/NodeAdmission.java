package dev.pgfly.node.install;

import java.util.List;
import java.util.Optional;

/**
 * Whether a node may join, and as what: a pure decision over the nodes the installation has. A name or an
 * address already taken is refused (a node that joined twice, or two hosts with one name, would fight over
 * the same members); the joining node gets the next free server id.
 */
public final class NodeAdmission {
    private NodeAdmission() {
    }

    /** Why {@code request} cannot join, or empty. */
    public static Optional<String> refusal(JoinRequest request, List<NodeRecord> nodes) {
        for (NodeRecord n : nodes) {
            if (n.name().equals(request.name())) {
                return Optional.of("a node named '" + request.name() + "' is already in the installation (at "
                        + n.address() + "): choose another --name, or `pgfly node remove " + n.name() + "` first");
            }
            if (n.address().equals(request.address())) {
                return Optional.of("address " + request.address() + " is already node '" + n.name()
                        + "': every node needs an address of its own");
            }
        }
        return Optional.empty();
    }

    /** The next server id: one above every id in use (ids are never reused while a node may still hold one). */
    public static int nextPeerId(List<NodeRecord> nodes, List<Integer> ensembleIds) {
        int max = 0;
        for (NodeRecord n : nodes) {
            max = Math.max(max, n.peerId());
        }
        for (int id : ensembleIds) {
            max = Math.max(max, id);
        }
        return max + 1;
    }
}
