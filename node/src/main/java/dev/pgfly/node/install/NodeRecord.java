package dev.pgfly.node.install;

/**
 * A node as the installation knows it (in the store, under {@code _install/nodes/NAME}): where it is, what it
 * may hold, and its place in the coordination store.
 *
 * @param peerId    its ZooKeeper server id, 0 when it runs no peer (an external store, or a plain client)
 * @param storeRole {@code voter}, {@code observer} or {@code client}
 * @param drained   places nothing new here, and switchovers move primaries away
 */
public record NodeRecord(String name, String address, String region, String zone, int apiPort, boolean witness,
                         int peerId, String storeRole, boolean drained) {

    public static NodeRecord of(NodeConfig config, int peerId, String storeRole) {
        return new NodeRecord(config.name(), config.address(), config.region(), config.zone(), config.apiPort(),
                config.witness(), peerId, storeRole, false);
    }

    public String apiEndpoint() {
        return address + ":" + apiPort;
    }

    /** May members be placed here? Witnesses and drained nodes take none. */
    public boolean takesMembers() {
        return !witness && !drained;
    }

    public NodeRecord withDrained(boolean d) {
        return new NodeRecord(name, address, region, zone, apiPort, witness, peerId, storeRole, d);
    }
}
