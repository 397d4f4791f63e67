package dev.pgfly.cli.admin;

import dev.pgfly.cli.client.CliException;

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
