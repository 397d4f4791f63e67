package dev.pgfly.cli;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.core.http.HttpCalls;
import dev.pgfly.cli.commands.AgentCommand;
import dev.pgfly.cli.commands.PauseCommand;
import dev.pgfly.cli.commands.ResumeCommand;
import dev.pgfly.cli.commands.ChecksCommand;
import dev.pgfly.cli.commands.AttachCommand;
import dev.pgfly.cli.commands.ConfigCommand;
import dev.pgfly.cli.commands.DbCommand;
import dev.pgfly.cli.commands.DetachCommand;
import dev.pgfly.cli.commands.ImportCommand;
import dev.pgfly.cli.commands.RestartCommand;
import dev.pgfly.cli.commands.UpgradeCommand;
import dev.pgfly.cli.commands.UsersCommand;
import dev.pgfly.cli.commands.BackupCommand;
import dev.pgfly.cli.commands.CertCommand;
import dev.pgfly.cli.commands.ConnectCommand;
import dev.pgfly.cli.commands.CreateCommand;
import dev.pgfly.cli.commands.DaemonCommand;
import dev.pgfly.cli.commands.DashboardCommand;
import dev.pgfly.cli.commands.DestroyCommand;
import dev.pgfly.cli.commands.EventsCommand;
import dev.pgfly.cli.commands.FailoverCommand;
import dev.pgfly.cli.commands.HaproxyCommand;
import dev.pgfly.cli.commands.ListCommand;
import dev.pgfly.cli.commands.LogsCommand;
import dev.pgfly.cli.commands.MemberCommand;
import dev.pgfly.cli.commands.MetricsCommand;
import dev.pgfly.cli.commands.NodeCommand;
import dev.pgfly.cli.commands.ProxyCommand;
import dev.pgfly.cli.commands.StartCommand;
import dev.pgfly.cli.commands.StatusCommand;
import dev.pgfly.cli.commands.StopCommand;
import dev.pgfly.cli.commands.UrlCommand;
import dev.pgfly.cli.commands.WalCommand;
import picocli.CommandLine;
import java.util.List;
import picocli.CommandLine.Command;

/** The one binary: CLI commands, and the daemon, agent and proxy roles. */
@Command(name = "pgfly", mixinStandardHelpOptions = true, version = "pgfly 0.1.0",
        description = "Self-hosted PostgreSQL clusters: replicated, failing over, behind a proxy.")
public final class Main implements Runnable {
    /** The subcommands, in the order {@code --help} lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(CreateCommand.class, ListCommand.class, StatusCommand.class, UrlCommand.class,
            ConnectCommand.class, StartCommand.class, StopCommand.class, DestroyCommand.class,
            FailoverCommand.class, PauseCommand.class, ResumeCommand.class, MemberCommand.class, EventsCommand.class, ChecksCommand.class,
            MetricsCommand.class, LogsCommand.class, CertCommand.class,
            AttachCommand.class, DetachCommand.class, DbCommand.class, UsersCommand.class, ConfigCommand.class,
            RestartCommand.class, UpgradeCommand.class, ImportCommand.class, BackupCommand.class, DaemonCommand.class, DashboardCommand.class,
            NodeCommand.class, AgentCommand.class, ProxyCommand.class, WalCommand.class, HaproxyCommand.class,
            CommandLine.HelpCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // The command line this call built (with every subcommand: see subcommandsFor), not a new one.
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // Server roles log at INFO to their log files; CLI calls stay quiet unless something fails.
        boolean server = args.length > 0 && (args[0].equals("agent") || args[0].equals("proxy")
                || ((args[0].equals("daemon") || args[0].equals("node")) && args.length > 1 && args[1].equals("run")));
        if (System.getProperty("PGFLY_LOG_LEVEL") == null && System.getenv("PGFLY_LOG_LEVEL") == null) {
            System.setProperty("PGFLY_LOG_LEVEL", server ? "INFO" : "WARN");
        }
        int code;
        try {
            code = execute(args);
        } catch (Throwable t) {
            // An Error (e.g. a missing class) must not leave a half-started JVM behind: report and exit.
            System.err.println("pgfly: " + HttpCalls.oneLine(t.toString()));
            code = 1;
        }
        System.exit(code);
    }

    /**
     * The subcommands a call needs: only the one it names, when it names one. Building picocli's model of every
     * subcommand (and theirs) by reflection took about a third of a second of each CLI call's start, a JVM
     * that most often runs one command; help, a call without a command and an unknown command get them all
     * (for the listing, and for picocli's "did you mean").
     */
    static List<Class<?>> subcommandsFor(String[] args) {
        if (args.length > 0) {
            for (Class<?> command : SUBCOMMANDS) {
                Command named = command.getAnnotation(Command.class);
                if (command != CommandLine.HelpCommand.class && (named.name().equals(args[0])
                        || java.util.Arrays.asList(named.aliases()).contains(args[0]))) {
                    return List.of(command);
                }
            }
        }
        return SUBCOMMANDS;
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        for (Class<?> command : subcommandsFor(args)) {
            cli.addSubcommand(command);
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String message = e instanceof CliException || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException ? e.getMessage() : e.toString();
            // One line, whatever the message quotes back (a name with a newline, a NUL, a long value).
            cmd.getErr().println("pgfly: " + HttpCalls.oneLine(message));
            return 1;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("pgfly: " + HttpCalls.oneLine(e.getMessage()) + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        return cli.execute(args);
    }
}
