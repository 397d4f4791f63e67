package dev.pgfly.node;

import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.Names;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The clusters' records ({@code cluster.json}, one per cluster directory): listed, read and written
 * atomically. The daemon owns them; the CLI only reads one, for commands that work without the daemon.
 */
public final class ClusterRecords {
    private static final Logger log = LoggerFactory.getLogger(ClusterRecords.class);

    private final PgflyHome home;

    ClusterRecords(PgflyHome home) {
        this.home = home;
    }

    /** One record, as is: a read error is the caller's to report. */
    public static LocalCluster read(Path file) throws IOException {
        return Json.read(Files.readAllBytes(file), LocalCluster.class);
    }

    /** Every readable record, by name. */
    List<LocalCluster> all() {
        if (!Files.isDirectory(home.clustersDir())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(home.clustersDir())) {
            return dirs.map(d -> d.getFileName().toString()).sorted()
                    .map(this::tryLoad).flatMap(Optional::stream).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    LocalCluster load(String name) {
        Names.requireClusterName(name);
        return tryLoad(name).orElseThrow(() -> new NoSuchElementException404("no cluster named '" + name + "'"));
    }

    Optional<LocalCluster> tryLoad(String name) {
        Path file = home.clusterFile(name);
        try {
            return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    void save(LocalCluster cluster) throws IOException {
        Path file = home.clusterFile(cluster.spec().name());
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("cluster.json.tmp");
        Files.writeString(tmp, Json.pretty(cluster));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
