package dev.pgfly.node.install;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where members go: a pure decision over the installation's nodes. One member per node, spread over zones
 * first, least-loaded nodes first; fewer suitable nodes than members is refused with the reason, unless the
 * caller accepts members sharing a host ({@code --same-host}), which then loses the cluster with that host.
 */
public final class Placement {
    /** A node as placement sees it: its record, whether it is up, and how many members it runs now. */
    public record Candidate(NodeRecord node, boolean up, int members) {
    }

    public sealed interface Outcome permits Placed, Refused {
    }

    /** The node of each new member, in order. */
    public record Placed(List<String> nodes) implements Outcome {
    }

    public record Refused(String reason) implements Outcome {
    }

    private Placement() {
    }

    /**
     * Nodes for {@code count} new members in {@code region}.
     *
     * @param taken    nodes that already run a member of this cluster (a member added to it goes elsewhere)
     * @param onNode   a node the caller asked for ({@code member add --node}), or null
     * @param sameHost whether members of the cluster may share a node
     */
    public static Outcome place(List<Candidate> candidates, int count, String region, Set<String> taken,
                                String onNode, boolean sameHost) {
        if (onNode != null) {
            return placeOn(candidates, count, region, taken, onNode, sameHost);
        }
        List<Candidate> eligible = candidates.stream()
                .filter(c -> c.up() && c.node().takesMembers() && c.node().region().equals(region))
                .sorted(Comparator.comparingInt(Candidate::members).thenComparing(c -> c.node().name()))
                .toList();
        List<Candidate> fresh = eligible.stream().filter(c -> !taken.contains(c.node().name())).toList();
        List<String> chosen = new ArrayList<>();
        Set<String> zones = new HashSet<>();
        taken.forEach(t -> candidates.stream().filter(c -> c.node().name().equals(t)).findFirst()
                .ifPresent(c -> zones.add(c.node().zone())));
        // First pass: a new zone each; second pass: any node not used yet.
        for (Candidate c : fresh) {
            if (chosen.size() < count && zones.add(c.node().zone())) {
                chosen.add(c.node().name());
            }
        }
        for (Candidate c : fresh) {
            if (chosen.size() < count && !chosen.contains(c.node().name())) {
                chosen.add(c.node().name());
            }
        }
        if (chosen.size() == count) {
            return new Placed(List.copyOf(chosen));
        }
        if (sameHost && !eligible.isEmpty()) {
            // Members share nodes: fill round-robin, the least loaded first.
            int i = 0;
            while (chosen.size() < count) {
                chosen.add(eligible.get(i++ % eligible.size()).node().name());
            }
            return new Placed(List.copyOf(chosen));
        }
        return new Refused(shortOfNodes(candidates, count, region, taken, fresh.size(), sameHost));
    }

    /**
     * {@code count} members of which the first runs on {@code first}: a restore unpacks the backup on the node
     * that runs {@code create}, and the other members clone from it wherever they are placed.
     */
    public static Outcome placeFirstOn(List<Candidate> candidates, int count, String region, String first,
                                       boolean sameHost) {
        Outcome here = placeOn(candidates, 1, region, Set.of(), first, sameHost);
        if (here instanceof Refused refused) {
            return new Refused("a restore unpacks the backup on this node, and " + refused.reason());
        }
        if (count == 1) {
            return here;
        }
        return switch (place(candidates, count - 1, region, Set.of(first), null, sameHost)) {
            case Placed others -> {
                List<String> all = new ArrayList<>(List.of(first));
                all.addAll(others.nodes());
                yield new Placed(List.copyOf(all));
            }
            case Refused refused -> refused;
        };
    }

    private static Outcome placeOn(List<Candidate> candidates, int count, String region, Set<String> taken,
                                   String onNode, boolean sameHost) {
        Candidate c = candidates.stream().filter(x -> x.node().name().equals(onNode)).findFirst().orElse(null);
        if (c == null) {
            return new Refused("no node named '" + onNode + "'");
        }
        if (!c.up()) {
            return new Refused("node '" + onNode + "' is down");
        }
        if (c.node().witness()) {
            return new Refused("node '" + onNode + "' is a witness: it votes in the store and holds no member");
        }
        if (c.node().drained()) {
            return new Refused("node '" + onNode + "' is drained: nothing new is placed there");
        }
        if (!c.node().region().equals(region)) {
            return new Refused("node '" + onNode + "' is in region " + c.node().region() + ", not " + region);
        }
        if ((taken.contains(onNode) || count > 1) && !sameHost) {
            return new Refused("node '" + onNode + "' already runs a member of this cluster: pass --same-host to accept"
                    + " that losing that host loses both");
        }
        return new Placed(java.util.Collections.nCopies(count, onNode));
    }

    private static String shortOfNodes(List<Candidate> candidates, int count, String region, Set<String> taken,
                                       int usable, boolean sameHost) {
        Set<String> up = candidates.stream().filter(c -> c.up() && c.node().takesMembers()
                        && c.node().region().equals(region)).map(c -> c.node().name())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        String what = count == 1 ? "a new member needs a node" : count + " members need " + count + " nodes";
        String have = up.isEmpty() ? "none is up" : usable + " " + (usable == 1 ? "is" : "are") + " usable ("
                + String.join(", ", up) + (taken.isEmpty() ? "" : "; already used: " + String.join(", ", new java.util.TreeSet<>(taken))) + ")";
        return what + " that take members in region " + region + ", and " + have
                + (sameHost ? "" : ": add nodes, or pass --same-host to accept that losing one host loses the cluster");
    }
}
