package dev.pgfly.cli;

import dev.pgfly.cli.commands.MemberCommand;
import dev.pgfly.cli.commands.StatusCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A call builds only the subcommand it names; help and anything unknown still see every command. */
class MainTest {

    @Test
    void aCallThatNamesACommandBuildsOnlyThatOne() {
        assertThat(Main.subcommandsFor(new String[] {"status", "shop", "--json"})).containsExactly(StatusCommand.class);
        assertThat(Main.subcommandsFor(new String[] {"member", "add", "--help"})).containsExactly(MemberCommand.class);
    }

    @Test
    void helpNoCommandAndUnknownCommandsGetEveryCommand() {
        for (String[] args : new String[][] {{}, {"--help"}, {"-V"}, {"help", "create"}, {"statu", "x"}}) {
            assertThat(Main.subcommandsFor(args)).as(String.join(" ", args)).isEqualTo(Main.SUBCOMMANDS);
        }
    }

    @Test
    void everyCommandHasANameOfItsOwn() {
        Set<String> names = new HashSet<>();
        for (Class<?> command : Main.SUBCOMMANDS) {
            Command c = command.getAnnotation(Command.class);
            assertThat(names.add(c.name())).as(c.name()).isTrue();
            for (String alias : c.aliases()) {
                assertThat(names.add(alias)).as(alias).isTrue();
            }
        }
        assertThat(names).contains("create", "status", "node", "help");
        // and --help lists them all
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new Main());
        Main.SUBCOMMANDS.forEach(cli::addSubcommand);
        cli.usage(new java.io.PrintWriter(out));
        assertThat(out.toString()).contains("  create ", "  status ", "  node ", "  haproxy ");
    }
}
