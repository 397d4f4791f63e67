package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.cli.client.PasswordlessUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "connect", mixinStandardHelpOptions = true,
        description = "Run psql against the cluster through the proxy. Extra arguments after -- go to psql.")
public final class ConnectCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1..*", paramLabel = "PSQL_ARGS", description = "Arguments for psql (after --)")
    List<String> psqlArgs = new ArrayList<>();

    @Option(names = "--database", defaultValue = "postgres", description = "Database. Default: ${DEFAULT-VALUE}")
    String database;

    @Option(names = "--replica", description = "Connect to a replica")
    boolean replica;

    @Override
    public Integer call() throws InterruptedException {
        // With TLS, psql checks the server's certificate against the cluster's CA.
        // The password goes to psql in its environment (PGPASSWORD), which only this user and root can read,
        // never in its arguments, which every local user sees in ps (issue 18, hole 2).
        PasswordlessUrl url = PasswordlessUrl.of(UrlCommand.connectUrl(daemon(), name, replica, database));
        List<String> cmd = new ArrayList<>(List.of("psql", url.url()));
        cmd.addAll(psqlArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        if (url.password() != null) {
            pb.environment().put("PGPASSWORD", url.password());
        }
        try {
            return pb.start().waitFor();
        } catch (IOException e) {
            throw new CliException("cannot run psql (install postgresql-client): " + e.getMessage());
        }
    }
}
