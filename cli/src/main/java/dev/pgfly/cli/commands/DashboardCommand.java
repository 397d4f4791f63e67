package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.core.tls.InstallationToken;
import dev.pgfly.node.api.DaemonInfo;
import dev.pgfly.node.dashboard.Dashboard;
import dev.pgfly.node.dashboard.LoginTokens;
import dev.pgfly.node.home.PgflyHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The address of the node's read-only dashboard and a login link. The link's token is made here, from the
 * node token (which only the node's user can read) or, with {@code PGFLY_NODE}, the installation's token: it
 * works once, for ten minutes, and the page trades it for a session cookie. The long-lived token itself never
 * goes into the link. Nothing is started but the node itself when it is not running: the dashboard is part of
 * its API.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = {"The node's read-only web dashboard: its address and a login link that works once, for 10 minutes.",
                "The page is served by the node's API over HTTPS: on this host's daemon at 127.0.0.1 with the"
                        + " certificate it made at its start (its CA: daemon/api.crt), or with PGFLY_NODE at that node's API."})
public final class DashboardCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Open the page on this cluster alone")
    String name;

    @Option(names = "--url", description = "Print only the login link (one line), e.g. xdg-open \"$(pgfly dashboard --url)\"")
    boolean urlOnly;

    @Option(names = "--json", description = "Print JSON: {url (the login link), page, expires_at}")
    boolean json;

    @Override
    public Integer call() {
        PgflyHome home = PgflyHome.resolve();
        DaemonClient daemon = daemon();
        if (name != null) {
            daemon.get(path(name)); // the cluster must exist: a link to a page about nothing helps nobody
        }
        String remote = System.getenv("PGFLY_NODE");
        String base;
        String signingToken;
        String trust;
        if (remote != null && !remote.isBlank()) {
            base = "https://" + remote.strip();
            String t = System.getenv("PGFLY_TOKEN").strip();
            signingToken = InstallationToken.isWhole(t) ? InstallationToken.parse(t).secret() : t;
            trust = "the installation's CA (pgfly node token names its fingerprint)";
        } else {
            DaemonInfo info = DaemonInfo.read(home).orElseThrow(() -> new CliException("the daemon is not running"));
            base = "https://127.0.0.1:" + info.port();
            try {
                signingToken = Files.readString(home.tokenFile()).strip();
            } catch (IOException e) {
                throw new CliException("cannot read the daemon token " + home.tokenFile() + ": " + e.getMessage());
            }
            trust = home.apiCertificateFile() + " (made at the daemon's start, like the address)";
        }
        Instant now = Instant.now();
        String page = base + Dashboard.PATH + "/";
        String login = page + "login?token=" + new LoginTokens(signingToken).issue(now)
                + (name == null ? "" : "&cluster=" + name);
        Instant expires = now.plus(LoginTokens.LIFETIME);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("url", login);
            out.put("page", page);
            out.put("expires_at", expires.toString());
            printJson(out);
        } else if (urlOnly) {
            System.out.println(login);
        } else {
            System.out.println("Dashboard:   " + page);
            System.out.println("Login link:  " + login);
            System.out.println("             works once, until " + expires + "; the session it opens lasts 12 h or until the node restarts");
            System.out.println("Certificate: signed by " + trust);
        }
        return 0;
    }
}
