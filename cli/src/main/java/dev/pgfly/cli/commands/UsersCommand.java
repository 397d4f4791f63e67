package dev.pgfly.cli.commands;

import dev.pgfly.cli.admin.Users;
import dev.pgfly.cli.client.CliException;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.admin.SqlNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "users", mixinStandardHelpOptions = true,
        description = "List, create and drop users, and set their passwords. pgfly's own roles are off limits.",
        subcommands = {UsersCommand.ListUsers.class, UsersCommand.Create.class, UsersCommand.Password.class,
                UsersCommand.Drop.class})
public final class UsersCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Users with their attributes, the databases they own and the app they belong to.")
    public static final class ListUsers extends AdminCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() {
            List<Users.Info> users = new Users(admin(name)).list();
            if (json) {
                printJson(users);
                return 0;
            }
            Table t = new Table("NAME", "SUPERUSER", "ATTRIBUTES", "OWNS", "APP");
            users.forEach(u -> t.row(u.name() + (u.managedByPgfly() ? " (pgfly)" : ""), u.superuser() ? "yes" : "no",
                    String.join(",", u.attributes()), u.databases().isEmpty() ? "-" : String.join(",", u.databases()),
                    u.attachedApp()));
            System.out.print(t.render());
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a login user with a generated password (printed once), or one read with --stdin.")
    public static final class Create extends AdminCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "USER", description = "lowercase letters, digits and '_'; at most 63")
        String user;

        @Option(names = "--superuser", description = "Make it a superuser")
        boolean superuser;

        @Option(names = "--stdin", description = "Read the password from standard input")
        boolean stdin;

        @Override
        public Integer call() throws IOException {
            SqlNames.requireUser(user);
            String password = stdin ? readPassword() : Secrets.random(24);
            new Users(admin(name)).create(user, superuser, password);
            System.out.println("User '" + user + "' created" + (superuser ? " (superuser)" : "") + ".");
            if (!stdin) {
                System.out.println("Password (shown only now): " + password);
            }
            return 0;
        }
    }

    @Command(name = "password", mixinStandardHelpOptions = true,
            description = "Set a user's password: generated and printed once, or read with --stdin.")
    public static final class Password extends AdminCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "USER")
        String user;

        @Option(names = "--stdin", description = "Read the password from standard input")
        boolean stdin;

        @Override
        public Integer call() throws IOException {
            SqlNames.requireUser(user);
            String password = stdin ? readPassword() : Secrets.random(24);
            new Users(admin(name)).setPassword(user, password);
            System.out.println("Password of '" + user + "' changed.");
            if (!stdin) {
                System.out.println("New password (shown only now): " + password);
            }
            return 0;
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true, description = "Drop a user that owns nothing. Needs --yes.")
    public static final class Drop extends AdminCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "USER")
        String user;

        @Option(names = "--yes", description = "Really drop it")
        boolean yes;

        @Override
        public Integer call() {
            SqlNames.requireUser(user);
            if (!yes) {
                throw new CliException("dropping user '" + user + "' ends its access: repeat with --yes");
            }
            new Users(admin(name)).drop(user);
            System.out.println("User '" + user + "' dropped.");
            return 0;
        }
    }

    /** The whole of standard input, without the final line break. */
    static String readPassword() throws IOException {
        String s = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new CliException("no password on standard input");
        }
        return s;
    }
}
