package dev.pgfly.e2e;

import dev.pgfly.core.util.FileTrees;
import dev.pgfly.postgres.Command;
import dev.pgfly.postgres.OsUser;
import dev.pgfly.postgres.PgBinaries;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A throwaway PostgreSQL outside any cluster (the "other server" an import copies from): initdb and
 * pg_ctl as PostgreSQL's OS user in a temporary directory, on a free port of 127.0.0.1, with a
 * password. {@link #close()} stops it and deletes the directory.
 */
final class ScratchPostgres implements AutoCloseable {
    private final PgBinaries bin = PgBinaries.locate(null);
    private final OsUser user = OsUser.forPostgres();
    private final Path dir;
    private final int port;
    private final String password = "scratch-" + Long.toHexString(System.nanoTime());

    ScratchPostgres() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "pgfly-scratch-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        port = freePort();
        Path data = dir.resolve("data");
        Files.createDirectory(data);
        Path pwfile = dir.resolve("pw");
        Files.writeString(pwfile, password + "\n");
        user.own(data);
        user.own(pwfile);
        check(Command.run(user.wrap(List.of(bin.tool("initdb"), "-D", data.toString(), "--username=postgres",
                "--pwfile=" + pwfile, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8")), Map.of(),
                Duration.ofMinutes(2)), "initdb");
        Files.delete(pwfile);
        check(Command.run(user.wrap(List.of(bin.tool("pg_ctl"), "start", "-w", "-D", data.toString(),
                "-l", data.resolve("server.log").toString(),
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''")), Map.of(),
                Duration.ofMinutes(1)), "pg_ctl start");
    }

    String url(String database) {
        return "postgres://postgres:" + password + "@127.0.0.1:" + port + "/" + database;
    }

    private static void check(Command.Result r, String what) throws IOException {
        if (!r.ok()) {
            throw new IOException(what + " failed: " + r.output());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            Command.run(user.wrap(List.of(bin.tool("pg_ctl"), "stop", "-m", "immediate", "-w", "-D",
                    dir.resolve("data").toString())), Map.of(), Duration.ofMinutes(1));
        } finally {
            FileTrees.delete(dir);
        }
    }
}
