package dev.pgfly.testkit.hosts;

import java.util.Set;

/**
 * A /24 of 10.0.0.0/8 for one {@link Hosts}: host i is 10.b.c.i, the bridge (the test JVM's side) .254.
 * It must not overlap anything this machine already routes, or the test would shadow a real network.
 */
record Subnet(int second, int third) {
    static final int BRIDGE_HOST = 254;
    static final int MAX_HOSTS = 253;
    /** Route types that `ip route` prints before the destination. */
    private static final Set<String> ROUTE_TYPES = Set.of("unicast", "local", "broadcast", "multicast",
            "anycast", "unreachable", "blackhole", "prohibit", "throw", "nat");

    Subnet {
        if (second < 0 || second > 255 || third < 0 || third > 255) {
            throw new IllegalArgumentException("not a 10.x.y.0/24: " + second + "." + third);
        }
    }

    String address(int host) {
        return "10." + second + "." + third + "." + host;
    }

    String bridgeAddress() {
        return address(BRIDGE_HOST);
    }

    String cidr() {
        return address(0) + "/24";
    }

    /**
     * Whether any route in {@code ip -4 -o route show table all} output overlaps this subnet (the
     * default route aside: it covers everything and shadows nothing a more specific route would not).
     */
    boolean overlapsAnyRoute(String routeTable) {
        int base = (10 << 24) | (second << 16) | (third << 8);
        for (String line : routeTable.split("\n")) {
            String[] tokens = line.strip().split("\\s+");
            if (tokens.length == 0 || tokens[0].isEmpty()) {
                continue;
            }
            String destination = ROUTE_TYPES.contains(tokens[0]) && tokens.length > 1 ? tokens[1] : tokens[0];
            if (destination.equals("default")) {
                continue;
            }
            int slash = destination.indexOf('/');
            Integer address = ipv4(slash < 0 ? destination : destination.substring(0, slash));
            if (address == null) {
                continue;
            }
            int length = slash < 0 ? 32 : Integer.parseInt(destination.substring(slash + 1));
            int common = Math.min(length, 24);
            if (common == 0 || (address >>> (32 - common)) == (base >>> (32 - common))) {
                return true;
            }
        }
        return false;
    }

    private static Integer ipv4(String text) {
        String[] parts = text.split("\\.");
        if (parts.length != 4) {
            return null;
        }
        int value = 0;
        for (String part : parts) {
            try {
                int octet = Integer.parseInt(part);
                if (octet < 0 || octet > 255) {
                    return null;
                }
                value = (value << 8) | octet;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return value;
    }
}
