package dev.pgfly.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the PostgreSQL server programs are: an explicit directory ({@code --pg-bin} or
 * {@code PGFLY_PG_BIN}), then {@code pg_config --bindir}, then the newest
 * {@code /usr/lib/postgresql/<major>/bin}.
 */
public record PgBinaries(Path binDir, int majorVersion) {

    public static final String ENV = "PGFLY_PG_BIN";
    public static final String HOW_TO_INSTALL =
            "PostgreSQL server binaries not found: install them (Debian/Ubuntu: apt-get install postgresql) "
                    + "or point --pg-bin / PGFLY_PG_BIN at the directory holding postgres and initdb";

    public static PgBinaries locate(String explicit) {
        String chosen = explicit != null ? explicit : System.getenv(ENV);
        if (chosen != null && !chosen.isBlank()) {
            Path dir = Path.of(chosen);
            if (!hasServer(dir)) {
                throw new IllegalStateException("no PostgreSQL server binaries (postgres, initdb) in " + dir);
            }
            return of(dir);
        }
        return fromPgConfig().or(PgBinaries::newestDebianInstall)
                .map(PgBinaries::of)
                .orElseThrow(() -> new IllegalStateException(HOW_TO_INSTALL));
    }

    private static Optional<Path> fromPgConfig() {
        Command.Result r = Command.run(List.of("pg_config", "--bindir"), Map.of(), Duration.ofSeconds(5));
        if (!r.ok()) {
            return Optional.empty();
        }
        Path dir = Path.of(r.output().strip());
        return hasServer(dir) ? Optional.of(dir) : Optional.empty();
    }

    private static Optional<Path> newestDebianInstall() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .filter(PgBinaries::hasServer);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasServer(Path dir) {
        return Files.isExecutable(dir.resolve("postgres")) && Files.isExecutable(dir.resolve("initdb"));
    }

    /**
     * The binaries of {@code dir}, by its real path (no symbolic link left that someone could later turn
     * elsewhere), once {@link TrustedPrograms} has found that nobody but root and this process's user can
     * change them: before that, nothing from the directory runs, not even {@code postgres --version}.
     */
    private static PgBinaries of(Path given) {
        Path dir;
        try {
            dir = given.toRealPath();
            Optional<String> problem = TrustedPrograms.problem(dir);
            if (problem.isPresent()) {
                throw new IllegalStateException("refusing the PostgreSQL binaries in " + given + ": " + problem.get());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot check the PostgreSQL binaries in " + given + ": " + e.getMessage(), e);
        }
        Command.Result r = Command.run(List.of(dir.resolve("postgres").toString(), "--version"), Map.of(),
                Duration.ofSeconds(10));
        // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\) (\\d+)").matcher(r.output());
        if (!r.ok() || !m.find()) {
            throw new IllegalStateException("cannot tell the PostgreSQL version of " + dir + ": " + r.lastLine());
        }
        return new PgBinaries(dir, Integer.parseInt(m.group(1)));
    }

    public String tool(String name) {
        return binDir.resolve(name).toString();
    }
}
