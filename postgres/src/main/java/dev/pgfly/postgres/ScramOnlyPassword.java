package dev.pgfly.postgres;

import org.postgresql.PGProperty;
import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.util.Properties;

/**
 * PgJDBC's password source for every connection pgfly opens ({@link PgLogin}): it hands the password
 * over for SCRAM-SHA-256 only. A server that asks for a cleartext password (or md5, or GSS) gets
 * nothing, and the connection fails: every pg_hba.conf line pgfly writes says scram-sha-256, so such a
 * request can only come from something else listening on the port (a stopped cluster's proxy port
 * taken over by another local user). SCRAM never shows the password to the server, so even a squatter
 * that asks for SCRAM learns nothing it could log in with.
 *
 * <p>PgJDBC instantiates it by name ({@code authenticationPluginClassName}) with the connection's
 * properties, where {@link PgLogin} left the password.
 */
public final class ScramOnlyPassword implements AuthenticationPlugin {
    /** Starts every refusal, so that callers can tell it from other connection failures. */
    public static final String REFUSAL = "refusing to send the password";

    private final String password;

    public ScramOnlyPassword(Properties info) {
        this.password = PGProperty.PASSWORD.getOrDefault(info);
    }

    @Override
    public char[] getPassword(AuthenticationRequestType type) throws PSQLException {
        if (type != AuthenticationRequestType.SASL) {
            throw new PSQLException(REFUSAL + ": the server asked for " + describe(type)
                    + " authentication, but pgfly answers SCRAM-SHA-256 only (is another program listening on"
                    + " this port?)", PSQLState.INVALID_AUTHORIZATION_SPECIFICATION);
        }
        return password == null ? null : password.toCharArray();
    }

    private static String describe(AuthenticationRequestType type) {
        return switch (type) {
            case CLEARTEXT_PASSWORD -> "cleartext password";
            case MD5_PASSWORD -> "md5 password";
            default -> type.name();
        };
    }
}
