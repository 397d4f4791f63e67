package dev.pgfly.cli.commands;

import dev.pgfly.backup.WalArchive;
import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.backup.store.ChecksumMismatchException;
import dev.pgfly.backup.store.StoreSettings;
import dev.pgfly.core.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * PostgreSQL's archive_command and restore_command (through the {@code pgfly-wal} script pgfly writes
 * per cluster); not meant to be typed. Messages go to standard error, which is PostgreSQL's log.
 */
@Command(name = "wal", mixinStandardHelpOptions = true,
        description = "Archive or fetch one WAL file (run by PostgreSQL as archive_command / restore_command).",
        subcommands = {WalCommand.Push.class, WalCommand.Fetch.class})
public final class WalCommand implements Runnable {
    /** Exit code that makes PostgreSQL abort recovery instead of taking a corrupted file for the end of the archive. */
    static final int ABORT_RECOVERY = 126;

    @Option(names = "--store-config", required = true, description = "The cluster's store settings (JSON)")
    Path storeConfig;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    BackupStore store() throws java.io.IOException {
        return Json.read(Files.readAllBytes(storeConfig), StoreSettings.class).open();
    }

    @Command(name = "push", mixinStandardHelpOptions = true, description = "archive_command: store one WAL file.")
    public static final class Push implements Callable<Integer> {
        @ParentCommand
        WalCommand parent;

        @Parameters(index = "0", paramLabel = "PATH", description = "%p: the file, relative to the data directory")
        Path path;

        @Parameters(index = "1", paramLabel = "NAME", description = "%f: its name")
        String name;

        @Override
        public Integer call() throws Exception {
            long started = System.nanoTime();
            try (BackupStore store = parent.store()) {
                WalArchive.PushResult r = new WalArchive(store).push(path, name);
                if (r == WalArchive.PushResult.KEPT_ASIDE) {
                    System.err.println("pgfly: WARNING: " + name + " is already archived with different content"
                            + " (a diverged copy of this cluster's WAL, as after a failover); this copy is kept aside"
                            + " under " + WalArchive.CONFLICTS_PREFIX + " and archiving goes on");
                }
                if (System.getenv("PGFLY_WAL_TIMING") != null) {
                    System.err.printf("pgfly: %s %s in %.0f ms%n", name, r, (System.nanoTime() - started) / 1e6);
                }
                return 0;
            }
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true, description = "restore_command: fetch one WAL file.")
    public static final class Fetch implements Callable<Integer> {
        @ParentCommand
        WalCommand parent;

        @Parameters(index = "0", paramLabel = "NAME", description = "%f: the file wanted")
        String name;

        @Parameters(index = "1", paramLabel = "PATH", description = "%p: where to put it")
        Path path;

        @Override
        public Integer call() throws Exception {
            try (BackupStore store = parent.store()) {
                new WalArchive(store).fetch(name, path);
                return 0;
            } catch (NoSuchFileException e) {
                // Normal at the end of the archive: PostgreSQL asks for files that do not exist (yet).
                System.err.println("pgfly: " + name + " not in the archive");
                return 1;
            } catch (ChecksumMismatchException e) {
                System.err.println("pgfly: " + e.getMessage());
                return ABORT_RECOVERY;
            }
        }
    }
}
