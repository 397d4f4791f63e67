package org.apache.zookeeper;

import org.apache.zookeeper.client.ZKClientConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * ZooKeeper's NIO client socket, bound to a chosen local address before it connects.
 *
 * <p>Written by hand because the ZooKeeper client has no option for a source address, and pgfly
 * needs one: every member behaves like a host with its own loopback address, so that cutting that
 * address off with iptables also cuts the member's agent off from ZooKeeper. It lives in
 * ZooKeeper's package because {@code createSock()} is package-private.
 */
public class BoundClientCnxnSocketNIO extends ClientCnxnSocketNIO {
    public static final String LOCAL_ADDRESS_PROPERTY = "pgfly.zk.localAddress";

    BoundClientCnxnSocketNIO(ZKClientConfig clientConfig) throws IOException {
        super(clientConfig);
    }

    @Override
    SocketChannel createSock() throws IOException {
        SocketChannel channel = super.createSock();
        String local = System.getProperty(LOCAL_ADDRESS_PROPERTY);
        if (local != null && !local.isBlank()) {
            channel.bind(new InetSocketAddress(local, 0));
        }
        return channel;
    }
}
