package dev.pgfly.cli.admin;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.cli.client.PasswordlessUrl;
import dev.pgfly.cli.client.SecretInput;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server to import from, parsed from {@code postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=...}.
 * It reaches pg_dump as libpq environment variables only: the password never appears on a
 * command line, where any local user could read it.
 */
public record ImportSource(String host, int port, String user, String password, String database, String sslmode) {
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    /** The environment variable that may hold the whole source URL, password included. */
    public static final String URL_VARIABLE = "PGFLY_IMPORT_SOURCE";
    /** How to give a password, for the messages that refuse one on the command line. */
    static final String WAYS = "give the URL on standard input ('pgfly import NAME -'), in a file (--source-file FILE)"
            + " or in " + URL_VARIABLE + ", or leave the password out of the URL and set PGPASSWORD";

    /**
     * The source URL from where the user put it: standard input ({@code -} as SOURCE_URL, or
     * {@code --source-file -}), a file, the {@value #URL_VARIABLE} variable, or the argument itself when
     * it carries no password (issue 18, hole 2: a password on the command line is visible to every local
     * user). With no password in the URL, libpq's PGPASSWORD supplies it ({@link #withPasswordFrom}).
     */
    public static String resolveUrl(String argument, String sourceFile, SecretInput input) {
        if (argument != null && sourceFile != null) {
            throw new CliException("give the source URL either as SOURCE_URL or with --source-file, not both");
        }
        if (sourceFile != null) {
            return input.fromFile(sourceFile, "source URL");
        }
        if ("-".equals(argument)) {
            return input.fromFile("-", "source URL");
        }
        if (argument != null) {
            if (PasswordlessUrl.hasPassword(argument)) {
                throw new CliException("refusing a password on the command line, where every local user can read it: "
                        + WAYS);
            }
            return argument;
        }
        String fromEnv = input.fromEnv(URL_VARIABLE);
        if (fromEnv == null) {
            throw new CliException("no source URL: give SOURCE_URL without a password (PGPASSWORD then holds it), or the"
                    + " whole URL on standard input ('pgfly import NAME -'), in a file (--source-file FILE) or in "
                    + URL_VARIABLE);
        }
        return fromEnv;
    }

    /** This source with the password from PGPASSWORD when its URL had none. */
    public ImportSource withPasswordFrom(SecretInput input) {
        if (password != null) {
            return this;
        }
        return new ImportSource(host, port, user, input.fromEnv("PGPASSWORD"), database, sslmode);
    }

    public static ImportSource parse(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            throw new CliException("invalid source URL: use postgres://USER:PASSWORD@HOST:PORT/DATABASE");
        }
        if (!"postgres".equals(u.getScheme()) && !"postgresql".equals(u.getScheme())) {
            throw new CliException("invalid source URL: it must start with postgres:// or postgresql://");
        }
        if (u.getHost() == null || u.getRawUserInfo() == null || u.getPath() == null || u.getPath().length() < 2) {
            throw new CliException("invalid source URL: use postgres://USER:PASSWORD@HOST:PORT/DATABASE");
        }
        String[] userInfo = u.getRawUserInfo().split(":", 2);
        String user = decode(userInfo[0]);
        String password = userInfo.length > 1 ? decode(userInfo[1]) : null;
        String sslmode = query(u).getOrDefault("sslmode", "prefer");
        if (!SSL_MODES.contains(sslmode)) {
            throw new CliException("invalid sslmode '" + sslmode + "' in the source URL");
        }
        String database = decode(u.getRawPath().substring(1));
        if (user.isEmpty() || database.isEmpty() || (user + database).codePoints().anyMatch(Character::isISOControl)) {
            throw new CliException("invalid source URL: user and database must be given");
        }
        return new ImportSource(u.getHost(), u.getPort() > 0 ? u.getPort() : 5432, user, password, database, sslmode);
    }

    /** libpq's environment for this source. */
    public Map<String, String> libpqEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGUSER", user);
        env.put("PGDATABASE", database);
        env.put("PGSSLMODE", sslmode);
        env.put("PGCONNECT_TIMEOUT", "10");
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        return env;
    }

    /** For messages: never the password. */
    public String display() {
        return user + "@" + host + ":" + port + "/" + database;
    }

    private static Map<String, String> query(URI u) {
        Map<String, String> q = new LinkedHashMap<>();
        if (u.getRawQuery() != null) {
            for (String pair : u.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
                }
            }
        }
        return q;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
