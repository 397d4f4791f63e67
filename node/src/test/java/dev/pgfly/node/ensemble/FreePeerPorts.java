package dev.pgfly.node.ensemble;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The ensemble tests' peers: each on its own loopback address, as if on its own host, on ports free there now. */
public final class FreePeerPorts {
    private FreePeerPorts() {
    }

    public static PeerAddress on(String host, int id, PeerRole role) throws IOException {
        int[] ports = new int[3];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < ports.length; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host));
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
        return new PeerAddress(id, host, ports[0], ports[1], ports[2], role);
    }

    static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }
}
