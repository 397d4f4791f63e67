package dev.pgfly.core.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an operator copies from the first node to the others: the installation's secret and the SHA-256
 * fingerprint of its CA, as one string ({@code pgfly1-<64 hex digits>-<secret>}).
 *
 * <p>Why both in one: a joining host has no CA yet, so without a pin its first call (which receives the
 * store's password and the CA key) could go to whoever answers on that address. With the fingerprint it
 * trusts exactly the installation's CA for that call, as {@code kubeadm join --discovery-token-ca-cert-hash}
 * does; and a CLI on a host that is not a node can reach a node the same way ({@code PGFLY_TOKEN}). The
 * secret alone is what the nodes check as a bearer token; it never travels without TLS.
 */
public record InstallationToken(String caFingerprint, String secret) {
    private static final String PREFIX = "pgfly1-";
    private static final Pattern FORMAT = Pattern.compile("pgfly1-([0-9a-f]{64})-([A-Za-z0-9]{16,200})");

    public InstallationToken {
        if (!caFingerprint.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a CA fingerprint is 64 lower-case hex digits");
        }
        if (!secret.matches("[A-Za-z0-9]{16,200}")) {
            throw new IllegalArgumentException("an installation secret is 16 to 200 letters and digits");
        }
    }

    public static InstallationToken of(X509Certificate ca, String secret) {
        return new InstallationToken(fingerprint(ca), secret);
    }

    /** Reads a token as {@code node init} printed it; a bare secret (no fingerprint) is refused with why. */
    public static InstallationToken parse(String text) {
        String t = text == null ? "" : text.strip();
        Matcher m = FORMAT.matcher(t);
        if (m.matches()) {
            return new InstallationToken(m.group(1), m.group(2));
        }
        if (t.startsWith(PREFIX)) {
            throw new IllegalArgumentException("malformed installation token: expected pgfly1-<CA fingerprint>-<secret>,"
                    + " as `pgfly node init` or `pgfly node token` printed it");
        }
        throw new IllegalArgumentException("this token carries no CA fingerprint: use the whole token that"
                + " `pgfly node init` (or `pgfly node token` on any node) printed, which starts with pgfly1-");
    }

    /** Whether {@code text} looks like a whole token (and not a bare secret). */
    public static boolean isWhole(String text) {
        return text != null && text.strip().startsWith(PREFIX);
    }

    public String text() {
        return PREFIX + caFingerprint + "-" + secret;
    }

    /** SHA-256 of the certificate's DER encoding, lower-case hex without separators. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text, never the secret, in logs and exceptions. */
    @Override
    public String toString() {
        return "InstallationToken[ca=" + caFingerprint + "]";
    }
}
