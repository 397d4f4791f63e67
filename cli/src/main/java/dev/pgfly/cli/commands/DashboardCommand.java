package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.dashboard.DashboardInfo;
import dev.pgfly.node.dashboard.LoginTokens;
import dev.pgfly.node.home.PgflyHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The address of this host's node dashboard and a login link. The link's token is made here from the node
 * token (which only the node's user can read) and works once, for ten minutes: the page trades it for a
 * session cookie. Nothing is started: the dashboard runs with the node (`pgfly daemon run`, `pgfly node run`).
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "The read-only web dashboard of this host's node: its address and a login link valid for 10 minutes.")
public final class DashboardCommand implements Callable<Integer> {
    @Option(names = "--url", description = "Print only the login link (one line), e.g. to open it: xdg-open \"$(pgfly dashboard --url)\"")
    boolean urlOnly;

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PgflyHome home = PgflyHome.resolve();
        if (System.getenv("PGFLY_NODE") != null && !System.getenv("PGFLY_NODE").isBlank()) {
            throw new CliException("a dashboard login link is made on the node's own host (it signs with that node's"
                    + " token): run 'pgfly dashboard' there, without PGFLY_NODE");
        }
        // Like every command that reads state: the node starts when it is not running, and is checked to be ours.
        new DaemonClient(home).ensureRunning();
        DashboardInfo info = DashboardInfo.read(home)
                .filter(i -> ProcessHandle.of(i.pid()).map(ProcessHandle::isAlive).orElse(false))
                .orElseThrow(() -> new CliException("no dashboard is running for " + home.root()
                        + ": see the node's log (""
                        + home.daemonLog() + ")"));
        String token;
        try {
            token = Files.readString(home.tokenFile()).strip();
        } catch (IOException e) {
            throw new CliException("cannot read the node token " + home.tokenFile() + ": " + e.getMessage());
        }
        Instant now = Instant.now();
        String login = info.loginUrl(new LoginTokens(token).issue(now));
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("url", info.pageUrl());
            out.put("login_url", login);
            out.put("login_expires_at", now.plus(LoginTokens.LIFETIME).toString());
            out.put("ca_file", info.caFile());
            ClusterCommand.printJson(out);
        } else if (urlOnly) {
            System.out.println(login);
        } else {
            System.out.println("Dashboard:  " + info.pageUrl());
            System.out.println("Login link: " + login);
            System.out.println("            (works once, until " + now.plus(LoginTokens.LIFETIME) + ")");
            System.out.println("Its certificate is signed by " + info.caFile() + ": trust that CA in the browser to avoid the warning.");
        }
        return 0;
    }
}
