package dev.pgfly.cli.client;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

class LoopbackListenersTest {
    private static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 213 1 0 100 0 0 10 0
               1: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 24246 1 0 100 0 0 10 0
               2: 0100007F:1538 0100007F:C7C4 01 00000000:00000000 03:00001303 00000000     0        0 0 3 0
               3: 0101667F:1539 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 24246 1 0 100 0 0 10 0
            """;
    private static final String TCP6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0000000000000000FFFF00000100007F:4030 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22646 1 0 100 0 0 10 0
               1: 00000000000000000000000000000000:1539 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1002        0 22647 1 0 100 0 0 10 0
            """;

    @Test
    void listenersThatTakeConnectionsToTheLoopbackPortCount() {
        assertThat(LoopbackListeners.owners(TCP, 0x1538)).as("only LISTEN rows").containsExactly(1001);
        assertThat(LoopbackListeners.owners(TCP, 0x07E8)).as("0.0.0.0").containsExactly(0);
        assertThat(LoopbackListeners.owners(TCP, 0x1539)).as("127.1.102.1 is another address").isEmpty();
        assertThat(LoopbackListeners.owners(TCP6, 0x4030)).as("::ffff:127.0.0.1").containsExactly(0);
        assertThat(LoopbackListeners.owners(TCP6, 0x1539)).as("::").containsExactly(1002);
    }

    @Test
    void ourOwnListenerIsFoundWithOurUid() throws Exception {
        int me = dev.pgfly.core.util.UnixFiles.currentUid();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
            assertThat(LoopbackListeners.owners(port)).containsExactly(me);
        }
        assertThat(LoopbackListeners.owners(port)).isEmpty();
    }
}
