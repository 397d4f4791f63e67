package dev.pgfly.testkit.hosts;

import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of one {@link Hosts}' kernel objects, all starting with its prefix ("pgt" and four hex
 * digits), so that parallel runs never collide and {@link Hosts#removeStale()} can find what a crashed
 * run left behind without touching anything else. The four hex digits also pick the subnet
 * (10.hi.lo.0/24), so two live instances never share one. Interface names stay under the kernel's
 * 15 characters: "pgt1a2bh12" is 10.
 */
record Naming(String prefix) {
    static final String STEM = "pgt";
    /** Inside its namespace, each host's end of its link is simply eth0. */
    static final String HOST_INTERFACE = "eth0";
    private static final Pattern PREFIX = Pattern.compile("pgt[0-9a-f]{4}");
    private static final Pattern OWN_OBJECT = Pattern.compile("(pgt[0-9a-f]{4})(?:br|h[0-9]+)?");

    Naming {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("not a Hosts prefix: " + prefix);
        }
    }

    static Naming random(RandomGenerator random) {
        return new Naming(STEM + String.format("%04x", random.nextInt(0x10000)));
    }

    String bridge() {
        return prefix + "br";
    }

    String namespace(int host) {
        return prefix + "h" + host;
    }

    /** The root namespace's end of host {@code host}'s link, a port of the bridge. */
    String bridgePort(int host) {
        return prefix + "h" + host;
    }

    /** The comment that marks the root FORWARD rule letting bridged traffic through (see {@link Hosts}). */
    String ruleComment() {
        return "pgfly-hosts:" + prefix;
    }

    Subnet subnet() {
        int bits = Integer.parseInt(prefix.substring(STEM.length()), 16);
        return new Subnet(bits >> 8, bits & 0xff);
    }

    /** The prefix of a namespace, link or owner file that Hosts named; empty for anything else. */
    static Optional<String> prefixOf(String objectName) {
        Matcher m = OWN_OBJECT.matcher(objectName);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
