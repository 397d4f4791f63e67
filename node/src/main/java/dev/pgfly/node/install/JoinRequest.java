package dev.pgfly.node.install;

/** What a joining node tells the node it joins through: who it is and where its peer would listen. */
public record JoinRequest(String name, String address, String region, String zone, int apiPort, int clientPort,
                          int quorumPort, int electionPort, boolean witness, boolean embedsStore) {

    public static JoinRequest of(NodeConfig c) {
        return new JoinRequest(c.name(), c.address(), c.region(), c.zone(), c.apiPort(), c.clientPort(), c.quorumPort(),
                c.electionPort(), c.witness(), c.embedsStore());
    }

    public NodeConfig asConfig() {
        return new NodeConfig(name, address, region, zone, apiPort, clientPort, quorumPort, electionPort, witness, null, null, null);
    }
}
