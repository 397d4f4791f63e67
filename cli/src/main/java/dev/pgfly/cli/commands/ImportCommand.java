package dev.pgfly.cli.commands;

import dev.pgfly.cli.admin.ImportSource;
import dev.pgfly.cli.admin.Importer;
import dev.pgfly.cli.client.SecretInput;
import dev.pgfly.node.admin.SqlNames;
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
                        + "environment, never on a command line.",
                "A URL with a password is taken only from standard input (SOURCE_URL '-'), a file (--source-file) or "
                        + "the PGFLY_IMPORT_SOURCE variable, never from the command line, where every local user can "
                        + "read it; a URL without one may be given as SOURCE_URL, the password then in PGPASSWORD."})
public final class ImportCommand extends AdminCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SOURCE_URL", description = "postgres://USER@HOST:PORT/DATABASE"
            + "[?sslmode=...] (password in PGPASSWORD), or '-' to read postgres://USER:PASSWORD@... from standard input."
            + " Default: the PGFLY_IMPORT_SOURCE variable")
    String sourceUrl;

    @Option(names = "--source-file", paramLabel = "FILE", description = "Read the source URL (password included) from"
            + " the first line of FILE (not readable by other users), '-' for standard input")
    String sourceFile;

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
        SecretInput input = SecretInput.system();
        ImportSource source = ImportSource.parse(ImportSource.resolveUrl(sourceUrl, sourceFile, input))
                .withPasswordFrom(input);
        String target = SqlNames.requireDatabase(database != null ? database : source.database());
        Importer.Summary s = new Importer(admin(name), PgBinaries.locate(pgBin), System.out).run(source, target, clean, jobs);
        System.out.printf("Imported %s into database '%s' of cluster '%s': %d tables in %.1f s.%n", source.display(),
                s.database(), name, s.tables(), s.millis() / 1000.0);
        return 0;
    }
}
