package dev.pgfly.node.install;

import dev.pgfly.node.home.PgflyHome;

import java.nio.file.Path;

/** Where a node keeps its configuration in its home: {@code daemon/node.yaml}. */
public final class NodeFiles {
    private NodeFiles() {
    }

    public static Path config(PgflyHome home) {
        return home.daemonDir().resolve("node.yaml");
    }
}
