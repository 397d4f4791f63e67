package dev.pgfly.node.ensemble;

import org.apache.zookeeper.server.quorum.QuorumPeer;

/** Where a quorum peer stands, as ZooKeeper reports it, plus STOPPED once it was closed. */
public enum PeerState {
    /** Electing a leader (or unable to find a quorum): it serves no client. */
    LOOKING,
    LEADING,
    FOLLOWING,
    OBSERVING,
    STOPPED;

    static PeerState of(QuorumPeer.ServerState state) {
        return switch (state) {
            case LOOKING -> LOOKING;
            case LEADING -> LEADING;
            case FOLLOWING -> FOLLOWING;
            case OBSERVING -> OBSERVING;
        };
    }

    /** Leading, following or observing: the peer answers clients. */
    public boolean serving() {
        return this == LEADING || this == FOLLOWING || this == OBSERVING;
    }
}
