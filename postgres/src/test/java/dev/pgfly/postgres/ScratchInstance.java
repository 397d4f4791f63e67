package dev.pgfly.postgres;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A throwaway PostgreSQL on loopback for tests of this module: initdb'd, configured, not started. */
final class ScratchInstance implements AutoCloseable {
    final Path memberDir;
    final PgInstance pg;

    /** @param extraSettings from the instance (for paths inside it) to settings added to pgfly's base ones */
    ScratchInstance(String name, String password, Function<PgInstance, Map<String, String>> extraSettings) throws IOException {
        memberDir = Files.createTempDirectory(Path.of("/tmp"), "pgfly-" + name + "-");
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        pg = new PgInstance(PgBinaries.locate(null), OsUser.forPostgres(), memberDir, "127.0.0.1", port);
        pg.data().initdb(password);
        Map<String, String> settings = new LinkedHashMap<>(PgConfig.baseSettings("127.0.0.1", port, name));
        settings.put("shared_buffers", "16MB");
        settings.putAll(extraSettings.apply(pg));
        pg.files().writeConfig(settings, List.of("127.0.0.1"));
        pg.lease().write(0);
    }

    /** Stops it at once, waits for its last processes, and deletes its directory. */
    @Override
    public void close() throws IOException {
        try {
            pg.stop(ShutdownMode.IMMEDIATE, Duration.ofSeconds(30));
            pg.postmaster().awaitOldProcessesGone(Duration.ofSeconds(30));
        } finally {
            Command.run(List.of("rm", "-rf", memberDir.toString()), Map.of(), Duration.ofMinutes(1));
        }
    }
}
