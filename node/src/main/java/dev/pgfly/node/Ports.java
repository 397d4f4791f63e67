package dev.pgfly.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;

/** Finds ports that nothing listens on, so that a new member or proxy can bind them. */
final class Ports {
    private Ports() {
    }

    static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code preferred} if free, else the first free port from {@code scanFrom} on, skipping {@code taken}. */
    static int pick(String host, int preferred, int scanFrom, Set<Integer> taken) {
        if (!taken.contains(preferred) && isFree(host, preferred)) {
            return preferred;
        }
        for (int p = scanFrom; p < scanFrom + 2000; p++) {
            if (!taken.contains(p) && isFree(host, p)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port on " + host + " from " + scanFrom);
    }
}
