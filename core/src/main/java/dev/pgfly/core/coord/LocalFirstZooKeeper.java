package dev.pgfly.core.coord;

import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A ZooKeeper client whose session prefers this host's peer ({@link LocalFirstHostProvider}) and can be sent
 * back to it: after a disconnect it may have settled on another host's peer (its own was not serving yet), and
 * it would stay there until the next disconnect, which that other host's crash would then cause.
 */
final class LocalFirstZooKeeper extends ZooKeeper {
    private final LocalFirstHostProvider servers;

    LocalFirstZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly,
                        LocalFirstHostProvider servers, ZKClientConfig config) throws IOException {
        super(connectString, sessionTimeout, watcher, canBeReadOnly, servers, config);
        this.servers = servers;
    }

    /**
     * Moves the session to this host's peer when it is on another host's and this host's listens: the client
     * disconnects (Curator reports SUSPENDED, then RECONNECTED) and reconnects here first. The caller must be
     * able to take that disconnect (a replica's agent; never a leading one).
     */
    boolean moveHomeIfAway() throws IOException {
        if (!(testableRemoteSocketAddress() instanceof InetSocketAddress current) || !servers.isAwayFromHome(current)) {
            return false;
        }
        servers.requestMoveHome();
        updateServerList(servers.serverList());
        return true;
    }
}
