package dev.pgfly.cli.commands;

import dev.pgfly.cli.admin.Attachments;
import dev.pgfly.node.admin.Attachment;
import dev.pgfly.node.admin.SqlNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "attach", mixinStandardHelpOptions = true,
        description = "Give an app its own database and user (generated password); prints its DATABASE_URL.")
public final class AttachCommand extends AdminCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster")
    String name;

    @Option(names = "--app", required = true, description = "The app's name: lowercase letters, digits, '-', '_'")
    String app;

    @Option(names = "--database", description = "Database (default: the app's name, '-' as '_'); created unless it exists")
    String database;

    @Option(names = "--user", description = "User to create (default: the app's name, '-' as '_')")
    String user;

    @Override
    public Integer call() {
        String defaultName = SqlNames.defaultForApp(app);
        Attachment a = new Attachment(app, user == null ? defaultName : user, database == null ? defaultName : database);
        dev.pgfly.cli.admin.AdminDb admin = admin(name);
        String url = new Attachments(admin).attach(a);
        System.out.println("Attached app '" + app + "' to cluster '" + name + "': user " + a.user() + ", database "
                + a.database() + ". Set this in the app's environment (the password is shown only once):");
        System.out.println("DATABASE_URL=" + url);
        if (admin.sslRootCert() != null) {
            System.out.println("TLS is on: to check the server's certificate, add ?sslmode=verify-full&sslrootcert=FILE,"
                    + " FILE holding the cluster's CA ('pgfly cert " + name + "')");
        }
        return 0;
    }
}
