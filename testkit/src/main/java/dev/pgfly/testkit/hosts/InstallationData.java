package dev.pgfly.testkit.hosts;

import dev.pgfly.core.util.FileTrees;
import dev.pgfly.core.util.Json;
import dev.pgfly.testkit.Pgfly;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where an installation's nodes keep their members' data: {@code /var/lib/pgfly/<installation id>}, one path on
 * every host. The namespace hosts of a test share one file system, so what one node leaves there (a crashed
 * host's member, a cluster directory two nodes each thought the other still used) is the test's to remove once
 * every node is closed.
 */
public final class InstallationData {
    private InstallationData() {
    }

    /** The data directories of the installations these nodes belong to (read before the nodes' homes go). */
    public static Set<Path> of(List<Pgfly> nodes) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Pgfly p : nodes) {
            Path admission = p.home().resolve("daemon/installation.json");
            try {
                if (Files.exists(admission)) {
                    String id = Json.MAPPER.readTree(Files.readAllBytes(admission)).path("installation_id").asString("");
                    if (id.matches("[a-z0-9]{1,40}")) {
                        dirs.add(Path.of("/var/lib/pgfly", id));
                    }
                }
            } catch (Exception e) {
                System.err.println("cannot read " + admission + ": " + e);
            }
        }
        return dirs;
    }

    public static void delete(Set<Path> dirs) {
        for (Path d : dirs) {
            try {
                FileTrees.delete(d);
            } catch (Exception e) {
                System.err.println("cannot remove " + d + ": " + e);
            }
        }
    }
}
