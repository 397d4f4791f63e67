package dev.pgfly.cli.commands;

import dev.pgfly.cli.admin.Attachments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "detach", mixinStandardHelpOptions = true,
        description = "Revoke an app's access: end its sessions and drop its user. The database stays unless --drop-database.")
public final class DetachCommand extends AdminCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster")
    String name;

    @Option(names = "--app", required = true)
    String app;

    @Option(names = "--drop-database", description = "Drop the app's database too")
    boolean dropDatabase;

    @Override
    public Integer call() {
        dev.pgfly.node.admin.SqlNames.requireApp(app);
        Attachments.Record a = new Attachments(admin(name)).detach(app, dropDatabase);
        System.out.println("Detached app '" + app + "': user " + a.user() + " dropped; database " + a.database()
                + (dropDatabase ? " dropped." : " kept (owned by postgres now)."));
        return 0;
    }
}
