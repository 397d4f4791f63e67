package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.util.Json;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;
import dev.pgfly.node.home.PgflyHome;

import java.io.PrintStream;

/** Shared plumbing of the commands that talk to the daemon. */
abstract class ClusterCommand {

    DaemonClient daemon() {
        return new DaemonClient(PgflyHome.resolve()).ensureRunning();
    }

    /** For a command that only reads: never starts a daemon for a home with nothing to run (it says so instead). */
    DaemonClient daemonToRead() {
        DaemonClient client = new DaemonClient(PgflyHome.resolve());
        return client.ifAnythingRuns().orElseThrow(client::nothingRuns);
    }

    /** The API path of a cluster; the name is checked first (an empty one would address the list). */
    static String path(String name) {
        return "/v1/clusters/" + DaemonClient.enc(dev.pgfly.core.util.Names.requireClusterName(name));
    }

    static void printJson(Object value) {
        System.out.println(Json.pretty(value));
    }

    static void printMembers(PrintStream out, ClusterView c) {
        // The NODE column only where members run on several nodes (an installation of several hosts).
        boolean nodes = c.members().stream().anyMatch(m -> m.node() != null && !m.node().equals("local"));
        // The TAGS column only where a member carries one (pgfly member update).
        boolean tags = c.members().stream().anyMatch(m -> m.tags() != null);
        java.util.List<String> headers = new java.util.ArrayList<>(java.util.List.of("MEMBER", "ROLE", "STATE", "REGION",
                "ADDRESS", "TL", "LSN", "LAG", "SYNC", "PID", "CHECKS", "PROXY"));
        if (nodes) {
            headers.add(1, "NODE");
        }
        if (tags) {
            headers.add("TAGS");
        }
        Table t = new Table(headers.toArray(String[]::new));
        for (MemberView m : c.members()) {
            java.util.List<Object> cells = new java.util.ArrayList<>(java.util.Arrays.asList(m.name(), m.role(),
                    m.stateWithDetail(), m.region(), m.host() + ":" + m.port(),
                    m.timeline() == 0 ? "-" : m.timeline(), m.lsn(),
                    "replica".equals(m.role()) ? m.lagBytes() + " B/" + String.format("%.1fs", m.lagSeconds()) : "-",
                    m.synchronous() ? "sync" : "-", m.postgresPid(), m.checks(), m.proxy()));
            if (nodes) {
                cells.add(1, m.node());
            }
            if (tags) {
                cells.add(m.tags() == null ? "-" : m.tags());
            }
            t.row(cells.toArray());
        }
        out.print(t.render());
        if (c.hostRisk() != null) {
            out.println("Warning: " + c.hostRisk() + ".");
        }
    }
}
