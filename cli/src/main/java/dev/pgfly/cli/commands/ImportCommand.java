package dev.pgfly.cli.commands;

import dev.pgfly.cli.admin.ImportSource;
import dev.pgfly.cli.admin.Importer;
import dev.pgfly.core.admin.SqlNames;
import dev.pgfly.postgres.PgBinaries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Copy a whole database from another PostgreSQL server into the cluster (pg_dump, then "
                + "pg_restore through the proxy, both parallel with --jobs).",
                "The target database must be empty unless --clean. The source password goes to pg_dump in its "
                        + "environment, never on a command line."})
public final class ImportCommand extends AdminCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster")
    String name;

    @Parameters(index = "1", paramLabel = "SOURCE_URL", description = "postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=...]")
    String sourceUrl;

    @Option(names = "--database", description = "Target database (default: the source's name); created if missing")
    String database;

    @Option(names = "--clean", description = "Drop the objects the dump recreates before restoring them")
    boolean clean;

    @Option(names = "--jobs", defaultValue = "2", description = "Parallel dump and restore jobs. Default: ${DEFAULT-VALUE}")
    int jobs;

    @Option(names = "--pg-bin", description = "Directory with pg_dump and pg_restore (default: as for create)")
    String pgBin;

    @Override
    public Integer call() throws IOException {
        ImportSource source = ImportSource.parse(sourceUrl);
        String target = SqlNames.requireDatabase(database != null ? database : source.database());
        Importer.Summary s = new Importer(admin(name), PgBinaries.locate(pgBin), System.out).run(source, target, clean, jobs);
        System.out.printf("Imported %s into database '%s' of cluster '%s': %d tables in %.1f s.%n", source.display(),
                s.database(), name, s.tables(), s.millis() / 1000.0);
        return 0;
    }
}
