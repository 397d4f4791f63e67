package dev.pgfly.cli.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who listens on a loopback port, from the kernel's socket tables ({@code /proc/net/tcp} and
 * {@code tcp6}): the CLI asks before it sends the daemon's token, because a port is only a number and,
 * once the daemon is gone, any local user may bind it and wait for the next request. The uid column of
 * a listening socket is the user that opened it, which another user cannot choose.
 *
 * <p>Every listener that could take a connection to 127.0.0.1:port counts (127.0.0.1 itself, 0.0.0.0,
 * and in tcp6 :: and ::ffff:127.0.0.1): each must belong to the expected user, and there must be one.
 */
final class LoopbackListeners {
    private static final String LISTEN = "0A";
    private static final Set<String> V4 = Set.of("0100007F", "00000000");
    private static final Set<String> V6 = Set.of("00000000000000000000000000000000",
            "0000000000000000FFFF00000100007F");

    private LoopbackListeners() {
    }

    /** The uids of the sockets listening where a connection to 127.0.0.1:{@code port} could land. */
    static List<Integer> owners(String table, int port) {
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        List<Integer> uids = new ArrayList<>();
        for (String line : table.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 8 || !f[0].endsWith(":") || !LISTEN.equals(f[3])) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            if (colon < 0 || !f[1].substring(colon + 1).equalsIgnoreCase(hexPort)) {
                continue;
            }
            String address = f[1].substring(0, colon).toUpperCase(Locale.ROOT);
            if (V4.contains(address) || V6.contains(address)) {
                uids.add(Integer.parseInt(f[7]));
            }
        }
        return uids;
    }

    /** The uids of this host's sockets listening where a connection to 127.0.0.1:{@code port} could land. */
    static List<Integer> owners(int port) throws IOException {
        List<Integer> owners = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                owners.addAll(owners(Files.readString(Path.of(table)), port));
            } catch (NoSuchFileException e) {
                // no IPv6 on this host
            }
        }
        return owners;
    }
}
