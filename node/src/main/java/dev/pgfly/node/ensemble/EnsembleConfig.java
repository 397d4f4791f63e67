package dev.pgfly.node.ensemble;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The ensemble's membership as {@code /zookeeper/config} holds it: one server line per peer and the
 * configuration's version (hexadecimal: the zxid of the reconfig that made it, 0 for a configuration no
 * reconfig made). A reconfig names the version it starts from, so two nodes changing the membership at
 * once cannot overwrite each other.
 */
public record EnsembleConfig(List<PeerAddress> peers, long version) {
    public EnsembleConfig {
        List<PeerAddress> sorted = new ArrayList<>(peers);
        sorted.sort(Comparator.comparingInt(PeerAddress::id));
        peers = List.copyOf(sorted);
    }

    public static EnsembleConfig parse(String text) {
        List<PeerAddress> peers = new ArrayList<>();
        long version = 0;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("server.")) {
                peers.add(PeerAddress.parse(line));
            } else if (line.startsWith("version=")) {
                version = Long.parseUnsignedLong(line.substring("version=".length()).strip(), 16);
            } else {
                // ZooKeeper's config node holds nothing else pgfly writes (weights and groups are not used)
                throw new IllegalArgumentException("unexpected line in the ensemble's configuration: '" + line + "'");
            }
        }
        return new EnsembleConfig(peers, version);
    }

    public Optional<PeerAddress> peer(int id) {
        return peers.stream().filter(p -> p.id() == id).findFirst();
    }

    public List<PeerAddress> voters() {
        return peers.stream().filter(PeerAddress::isVoter).toList();
    }
}
