package dev.pgfly.node.ensemble;

/**
 * What a quorum peer is in the ensemble: a voter (ZooKeeper's "participant") counts towards the quorum
 * that every write needs; an observer receives every change and serves clients but does not vote, so
 * adding observers adds read capacity and client endpoints without making writes wait for more hosts.
 */
public enum PeerRole {
    VOTER("participant"),
    OBSERVER("observer");

    private final String zooKeeperName;

    PeerRole(String zooKeeperName) {
        this.zooKeeperName = zooKeeperName;
    }

    /** The word ZooKeeper's server lines use. */
    public String zooKeeperName() {
        return zooKeeperName;
    }

    static PeerRole fromZooKeeperName(String name) {
        for (PeerRole role : values()) {
            if (role.zooKeeperName.equals(name)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown ZooKeeper peer type '" + name + "': expected participant or observer");
    }
}
