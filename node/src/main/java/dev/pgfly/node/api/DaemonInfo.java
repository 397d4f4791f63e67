package dev.pgfly.node.api;

import dev.pgfly.core.util.Json;
import dev.pgfly.node.home.PgflyHome;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;

/** {@code daemon.json}: how the CLI finds a running daemon. */
public record DaemonInfo(long pid, int port, int zkPort, String dcs) {

    /** The home's {@code daemon.json}; empty when there is none or it cannot be read. */
    public static Optional<DaemonInfo> read(PgflyHome home) {
        try {
            return Files.exists(home.daemonInfo())
                    ? Optional.of(Json.read(Files.readAllBytes(home.daemonInfo()), DaemonInfo.class))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
