package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.ZkLimits;
import org.apache.jute.BinaryInputArchive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every ZooKeeper server pgfly embeds sets in its process before it starts: the one-host standalone
 * server and an installation's quorum peer alike. ZooKeeper reads these from system properties, once.
 */
public final class ServerProcessSettings {
    /**
     * Snapshots and logs written before {@link ZkLimits} (ZooKeeper's default of 1 MiB per request) must still
     * load: the server reads them with jute.maxbuffer plus this extra room.
     */
    static final int EXTRA_BUFFER_FOR_OLD_DATA = 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ServerProcessSettings.class);

    private ServerProcessSettings() {
    }

    /**
     * No AdminServer (an unauthenticated HTTP server, on 8080 by default), only harmless four-letter words, and
     * requests no larger than pgfly needs (see ZkLimits). jute.maxbuffer is read once, when ZooKeeper's
     * serialization classes load: nothing in the process may have touched them before this point.
     */
    public static void apply() {
        System.setProperty("zookeeper.admin.enableServer", "false");
        System.setProperty("zookeeper.4lw.commands.whitelist", "ruok,srvr");
        System.setProperty("zookeeper.snapCount", "10000");
        System.setProperty(ZkLimits.JUTE_MAX_BUFFER, Integer.toString(ZkLimits.MAX_BUFFER_BYTES));
        System.setProperty("zookeeper.jute.maxbuffer.extrasize", Integer.toString(EXTRA_BUFFER_FOR_OLD_DATA));
        if (BinaryInputArchive.maxBuffer != ZkLimits.MAX_BUFFER_BYTES) {
            log.warn("ZooKeeper's request limit is {} bytes, not {}: jute.maxbuffer was read before the server set it",
                    BinaryInputArchive.maxBuffer, ZkLimits.MAX_BUFFER_BYTES);
        }
    }
}
