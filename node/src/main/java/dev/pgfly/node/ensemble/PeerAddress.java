package dev.pgfly.node.ensemble;

/**
 * One quorum peer as ZooKeeper's dynamic configuration names it:
 * {@code server.<id>=<host>:<quorumPort>:<electionPort>:<participant|observer>;<host>:<clientPort>}.
 *
 * <p>The client port listens on the same host as the quorum ports: a pgfly node advertises one address,
 * and ZooKeeper would otherwise listen for clients on every interface (0.0.0.0).
 *
 * @param id           ZooKeeper's server id (myid), unique for the life of the ensemble, 1..255 is plenty
 * @param host         the address the other peers and the clients reach this peer at
 * @param quorumPort   followers' and observers' connection to the leader
 * @param electionPort leader election
 * @param clientPort   clients (pgfly's daemons, agents and proxies)
 */
public record PeerAddress(int id, String host, int quorumPort, int electionPort, int clientPort, PeerRole role) {
    private static final String PREFIX = "server.";

    public PeerAddress {
        if (id <= 0) {
            throw new IllegalArgumentException("a ZooKeeper server id must be positive, not " + id);
        }
        if (host == null || host.isBlank() || host.contains(";") || host.contains("|") || host.contains("=")) {
            throw new IllegalArgumentException("invalid peer host '" + host + "'");
        }
        requirePort(quorumPort, "quorum");
        requirePort(electionPort, "election");
        requirePort(clientPort, "client");
        if (role == null) {
            throw new IllegalArgumentException("a peer needs a role");
        }
    }

    private static void requirePort(int port, String what) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("invalid " + what + " port " + port);
        }
    }

    /** ZooKeeper's own line for this peer, as in the dynamic configuration and a reconfig's joining list. */
    public String serverLine() {
        String h = hostForPort();
        return PREFIX + id + "=" + h + ":" + quorumPort + ":" + electionPort + ":" + role.zooKeeperName()
                + ";" + h + ":" + clientPort;
    }

    /** The address a client connects to: {@code host:clientPort}. */
    public String clientAddress() {
        return hostForPort() + ":" + clientPort;
    }

    public PeerAddress withRole(PeerRole newRole) {
        return new PeerAddress(id, host, quorumPort, electionPort, clientPort, newRole);
    }

    public boolean isVoter() {
        return role == PeerRole.VOTER;
    }

    private String hostForPort() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /**
     * Reads one line of ZooKeeper's configuration. A line without a role is a participant (ZooKeeper's
     * default); one without a client address cannot be reached by clients and is refused, as are
     * ZooKeeper's multi-address lines ({@code a:1:2|b:1:2}), which pgfly never writes.
     */
    public static PeerAddress parse(String serverLine) {
        String line = serverLine == null ? "" : serverLine.strip();
        int eq = line.indexOf('=');
        if (!line.startsWith(PREFIX) || eq < 0) {
            throw new IllegalArgumentException("not a ZooKeeper server line: '" + serverLine + "'");
        }
        int id;
        try {
            id = Integer.parseInt(line.substring(PREFIX.length(), eq).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("server line without a numeric id: '" + serverLine + "'");
        }
        String value = line.substring(eq + 1).strip();
        int semicolon = value.indexOf(';');
        if (semicolon < 0) {
            throw new IllegalArgumentException("server line without a client address: '" + serverLine + "'");
        }
        String quorumPart = value.substring(0, semicolon).strip();
        String clientPart = value.substring(semicolon + 1).strip();
        if (quorumPart.contains("|")) {
            throw new IllegalArgumentException("multi-address server lines are not supported: '" + serverLine + "'");
        }
        HostAndRest quorum = HostAndRest.split(quorumPart, serverLine);
        String[] ports = quorum.rest().split(":");
        if (ports.length < 2 || ports.length > 3) {
            throw new IllegalArgumentException("expected host:quorumPort:electionPort[:role] in '" + serverLine + "'");
        }
        PeerRole role = ports.length == 3 ? PeerRole.fromZooKeeperName(ports[2].strip()) : PeerRole.VOTER;
        int clientPort;
        HostAndRest client = clientPart.contains(":") ? HostAndRest.split(clientPart, serverLine) : null;
        clientPort = number(client == null ? clientPart : client.rest(), serverLine);
        return new PeerAddress(id, quorum.host(), number(ports[0], serverLine), number(ports[1], serverLine),
                clientPort, role);
    }

    private static int number(String text, String line) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a port in '" + line + "'");
        }
    }

    /** A host (IPv6 in brackets) and what follows its colon. */
    private record HostAndRest(String host, String rest) {
        static HostAndRest split(String text, String line) {
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("bad IPv6 address in '" + line + "'");
                }
                return new HostAndRest(text.substring(1, close), text.substring(close + 2));
            }
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected host:port in '" + line + "'");
            }
            return new HostAndRest(text.substring(0, colon), text.substring(colon + 1));
        }
    }
}
