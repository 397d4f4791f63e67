package dev.pgfly.cli.client;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A {@code postgres://USER:PASSWORD@HOST:PORT/DB?...} URL split into the same URL without its password
 * and the password: the URL may go on a child's command line (psql's), the password only into its
 * environment (PGPASSWORD), which no other user can read, whereas every local user sees every command
 * line ({@code ps}). Issue 18, hole 2.
 *
 * @param url      the URL, user kept, password removed
 * @param password the decoded password, or null when the URL had none
 */
public record PasswordlessUrl(String url, String password) {

    public static PasswordlessUrl of(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            throw new IllegalArgumentException("not a postgres:// URL");
        }
        int authorityStart = scheme + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = url.substring(authorityStart, authorityEnd);
        int at = authority.lastIndexOf('@');
        if (at < 0) {
            return new PasswordlessUrl(url, null);
        }
        String userInfo = authority.substring(0, at);
        int colon = userInfo.indexOf(':');
        if (colon < 0) {
            return new PasswordlessUrl(url, null);
        }
        String password = URLDecoder.decode(userInfo.substring(colon + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
        String stripped = url.substring(0, authorityStart) + userInfo.substring(0, colon) + authority.substring(at)
                + url.substring(authorityEnd);
        return new PasswordlessUrl(stripped, password);
    }

    /** Whether a URL carries a password (and so must not be taken from a command line). */
    public static boolean hasPassword(String url) {
        try {
            return of(url).password() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
