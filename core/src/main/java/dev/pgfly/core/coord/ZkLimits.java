package dev.pgfly.core.coord;

import org.apache.zookeeper.client.ZKClientConfig;

/**
 * Size limits shared by the daemon's ZooKeeper server and every pgfly client of it.
 *
 * <p>{@code jute.maxbuffer} bounds one request a server accepts and one response a client reads.
 * ZooKeeper's default (1 MiB) let an anonymous client store 1 MiB per node in the daemon's memory
 * (issue 18, hole 7). pgfly's nodes are small JSON records (estimated from their fields, not measured
 * on a large cluster): a cluster's configuration and a member status a few KiB at most, the 500 names
 * of the history node's children about 8 KiB. The worst case is a configuration holding every string
 * setting PostgreSQL has at the longest value pgfly accepts (about 60 x 4 KiB): {@link #MAX_NODE_BYTES}
 * leaves room for it, and the buffer room for the request around it.
 *
 * <p>Both sides must agree: a client whose limit is below the server's drops a connection on the first
 * large answer. The server reads the system property (the daemon sets it before ZooKeeper's classes
 * load); clients get it through their {@link ZKClientConfig} ({@link #clientConfig}), which also works
 * against an ensemble pgfly does not run.
 */
public final class ZkLimits {
    public static final String JUTE_MAX_BUFFER = "jute.maxbuffer";
    /** The largest request (and response) in bytes. */
    public static final int MAX_BUFFER_BYTES = 320 * 1024;
    /** The largest node pgfly writes: the buffer less room for the path and the request around it. */
    public static final int MAX_NODE_BYTES = 256 * 1024;

    private ZkLimits() {
    }

    /**
     * A client configuration with pgfly's buffer limit, built after {@code ZkConnections} set its
     * process-wide properties (the ZKClientConfig copies them when it is made).
     */
    public static ZKClientConfig clientConfig() {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.JUTE_MAXBUFFER, Integer.toString(MAX_BUFFER_BYTES));
        return config;
    }

    /** Refuses data pgfly would not be able to store or read back, with a message that says so. */
    static void requireStorable(String path, byte[] data) {
        if (data != null && data.length > MAX_NODE_BYTES) {
            throw new StoreException("cannot store " + path + ": " + data.length + " bytes, more than the "
                    + MAX_NODE_BYTES + " a coordination store node may hold");
        }
    }
}
