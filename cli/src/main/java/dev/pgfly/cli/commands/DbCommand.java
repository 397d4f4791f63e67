package dev.pgfly.cli.commands;

import dev.pgfly.cli.admin.Databases;
import dev.pgfly.cli.client.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "db", mixinStandardHelpOptions = true, description = "List, create and drop databases.",
        subcommands = {DbCommand.ListDbs.class, DbCommand.Create.class, DbCommand.Drop.class})
public final class DbCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Databases with owner, size and encoding.")
    public static final class ListDbs extends AdminCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() {
            List<Databases.Info> dbs = new Databases(admin(name)).list();
            if (json) {
                printJson(dbs);
                return 0;
            }
            Table t = new Table("NAME", "OWNER", "SIZE", "ENCODING", "APP");
            dbs.forEach(d -> t.row(d.name(), d.owner(), d.size(), d.encoding(), d.attachedApp()));
            System.out.print(t.render());
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a database (owned by postgres).")
    public static final class Create extends AdminCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "DB", description = "lowercase letters, digits and '_'; at most 63")
        String database;

        @Option(names = "--owner", description = "Owner (an existing user)")
        String owner;

        @Override
        public Integer call() {
            if (owner != null) {
                dev.pgfly.node.admin.SqlNames.requireIdentifier("user", owner);
            }
            dev.pgfly.node.admin.SqlNames.requireDatabase(database);
            new Databases(admin(name)).create(database, owner);
            System.out.println("Database '" + database + "' created.");
            return 0;
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = "Drop a database and everything in it; its sessions are ended. Needs --yes.")
    public static final class Drop extends AdminCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "DB")
        String database;

        @Option(names = "--yes", description = "Really drop it")
        boolean yes;

        @Override
        public Integer call() {
            dev.pgfly.node.admin.SqlNames.requireDroppableDatabase(database);
            if (!yes) {
                throw new CliException("dropping '" + database + "' deletes all its data: repeat with --yes");
            }
            new Databases(admin(name)).drop(database);
            System.out.println("Database '" + database + "' dropped.");
            return 0;
        }
    }
}
