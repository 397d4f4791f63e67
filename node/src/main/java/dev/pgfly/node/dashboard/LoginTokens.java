package dev.pgfly.node.dashboard;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The short-lived links {@code pgfly dashboard --url} prints. A token is {@code EXPIRY.MAC}: the expiry in
 * epoch seconds and an HMAC-SHA256 of it under the node token, with a label that makes it good for this one
 * purpose (a MAC made for anything else never passes). Whoever can read the node token (its owner, the one
 * who may drive the node anyway) can mint one without asking the node; the node needs no state to check
 * one but the tokens already redeemed, kept until they expire so that each link logs in once.
 */
public final class LoginTokens {
    /** How long a printed link works. */
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final String PURPOSE = "pgfly dashboard login v1\n";

    private final byte[] key;
    private final Map<String, Long> redeemed = new HashMap<>();

    public LoginTokens(String nodeToken) {
        if (nodeToken == null || nodeToken.isBlank()) {
            throw new IllegalArgumentException("the dashboard needs the node token");
        }
        this.key = nodeToken.getBytes(StandardCharsets.UTF_8);
    }

    /** A token good until {@code now + LIFETIME}. */
    public String issue(Instant now) {
        long expiry = now.plus(LIFETIME).getEpochSecond();
        return expiry + "." + mac(expiry);
    }

    /** Why a token is refused; {@link #ACCEPTED} when it logs in. */
    public enum Verdict { ACCEPTED, MALFORMED, WRONG_SIGNATURE, EXPIRED, ALREADY_USED }

    /** Checks a token and, when good, marks it used: the same link never logs in twice. */
    public synchronized Verdict redeem(String token, Instant now) {
        long nowSeconds = now.getEpochSecond();
        redeemed.values().removeIf(expiry -> expiry < nowSeconds);
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot <= 0 || token.length() > 200) {
            return Verdict.MALFORMED;
        }
        long expiry;
        try {
            expiry = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return Verdict.MALFORMED;
        }
        byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(given, mac(expiry).getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.WRONG_SIGNATURE;
        }
        // Signed, so minted by a token holder; still, a link for longer than LIFETIME is none this code makes.
        if (expiry < nowSeconds || expiry > nowSeconds + LIFETIME.toSeconds() + 60) {
            return Verdict.EXPIRED;
        }
        if (redeemed.putIfAbsent(token, expiry) != null) {
            return Verdict.ALREADY_USED;
        }
        return Verdict.ACCEPTED;
    }

    private String mac(long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] out = mac.doFinal((PURPOSE + expiry).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
