package dev.pgfly.cli.commands;

import dev.pgfly.node.api.MemberView;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole HAProxy configuration for a cluster, for users who put HAProxy in front instead of (or as
 * well as) pgfly's proxy: a {@code listen primary} and a {@code listen replicas}, each with one
 * {@code server} per member, kept up or down by HAProxy's health checks against the members' agent
 * APIs ({@code OPTIONS /primary}, {@code OPTIONS /replica}: 200 or 503, no body). Pure text: the
 * command fetches the members, this renders them.
 *
 * @param cluster     the cluster's name, for the header comment
 * @param primaryPort where HAProxy listens for the primary
 * @param replicaPort where HAProxy listens for the replicas
 * @param servers     one per member, in the order given
 */
record HaproxyConfig(String cluster, int primaryPort, int replicaPort, List<Server> servers) {
    /** Patroni's stock values: a member is down after 3 failed checks 3 s apart (9 s), up after 2. */
    static final String DEFAULT_SERVER = "default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions";

    HaproxyConfig {
        requirePort(primaryPort, "primary port");
        requirePort(replicaPort, "replica port");
        if (primaryPort == replicaPort) {
            throw new IllegalArgumentException("the primary and replica ports must differ (both " + primaryPort + ")");
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("cluster '" + cluster + "' has no members");
        }
        servers = List.copyOf(servers);
    }

    private static void requirePort(int port, String what) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the " + what + " must be 1-65535, not " + port);
        }
    }

    /**
     * One member: where its PostgreSQL listens, and where its agent API answers the health checks.
     *
     * @param checkTls the agent API speaks HTTPS ({@code check-ssl verify none}: HAProxy only reads the
     *                 status; the API's certificate is not what protects the data)
     */
    record Server(String name, String host, int pgPort, String checkHost, int checkPort, boolean checkTls) {

        /** From {@code status}: the member's address and its agent API's URL ({@code http://host:port}). */
        static Server of(MemberView m) {
            if (m.api() == null || m.api().isBlank()) {
                throw new IllegalStateException("member '" + m.name() + "' has no agent API address");
            }
            URI api = URI.create(m.api());
            if (api.getHost() == null || api.getPort() < 0) {
                throw new IllegalStateException("member '" + m.name() + "' has an agent API address without host and port: "
                        + m.api());
            }
            return new Server(m.name(), m.host(), m.port(), unbracket(api.getHost()), api.getPort(),
                    "https".equalsIgnoreCase(api.getScheme()));
        }

        private static String unbracket(String host) {
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }

        /** The {@code server} line; {@code addr} only when the API listens elsewhere than PostgreSQL. */
        String line() {
            StringBuilder sb = new StringBuilder("server ").append(name).append(' ')
                    .append(address(host, pgPort)).append(" check");
            if (!checkHost.equals(host)) {
                sb.append(" addr ").append(checkHost);
            }
            sb.append(" port ").append(checkPort);
            if (checkTls) {
                sb.append(" check-ssl verify none");
            }
            return sb.toString();
        }

        private static String address(String host, int port) {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** The configuration file, one line per element, ending with a newline. */
    String render() {
        List<String> lines = new ArrayList<>();
        lines.add("# HAProxy configuration for the pgfly cluster '" + cluster + "' (pgfly haproxy " + cluster + ").");
        lines.add("# Each member's agent API answers OPTIONS /primary with 200 on the primary only and");
        lines.add("# OPTIONS /replica with 200 on a streaming replica only; HAProxy marks the others down");
        lines.add("# and cuts their sessions.");
        lines.add("global");
        lines.add("    maxconn 1000");
        lines.add("");
        lines.add("defaults");
        lines.add("    mode tcp");
        lines.add("    retries 2");
        lines.add("    timeout connect 4s");
        lines.add("    timeout client 30m");
        lines.add("    timeout server 30m");
        lines.add("    timeout check 5s");
        lines.add("");
        listen(lines, "primary", primaryPort, null, "/primary");
        lines.add("");
        // Sessions last from a second to hours: leastconn evens what is open now, as pgfly's own proxy does.
        listen(lines, "replicas", replicaPort, "leastconn", "/replica");
        return String.join("\n", lines) + "\n";
    }

    private void listen(List<String> lines, String name, int port, String balance, String check) {
        lines.add("listen " + name);
        lines.add("    bind *:" + port);
        if (balance != null) {
            lines.add("    balance " + balance);
        }
        lines.add("    option httpchk OPTIONS " + check);
        lines.add("    http-check expect status 200");
        lines.add("    " + DEFAULT_SERVER);
        for (Server s : servers) {
            lines.add("    " + s.line());
        }
    }
}
