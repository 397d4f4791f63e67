package dev.pgfly.node.dashboard;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The short-lived links {@code pgfly dashboard --url} prints. A token is {@code EXPIRY.NONCE.MAC}: the expiry in
 * epoch seconds, 16 random bytes (two links made in the same second are two links, each good once) and an
 * HMAC-SHA256 of both under the node token, with a label that makes it good for this one
 * purpose (a MAC made for anything else never passes). Whoever holds the node token (its owner, the one
 * who may drive the node anyway; or, on a node of an installation, whoever holds the installation's token)
 * can mint one without asking the node, and the long-lived token itself never goes into a URL. The node
 * needs no state to check one but the tokens already redeemed, kept until they expire so that each link
 * logs in once.
 */
public final class LoginTokens {
    /** How long a printed link works. */
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final String PURPOSE = "pgfly dashboard login v1\n";

    /** Never more than this many redeemed tokens are remembered (about 10 minutes of one login a second). */
    static final int MAX_REMEMBERED = 1000;

    private static final SecureRandom RANDOM = new SecureRandom();
    private final List<byte[]> keys;
    private final Map<String, Long> redeemed = new HashMap<>();

    /** @param nodeTokens the tokens whose holders may log in: the first signs what {@link #issue} makes */
    public LoginTokens(List<String> nodeTokens) {
        if (nodeTokens.isEmpty() || nodeTokens.stream().anyMatch(t -> t == null || t.isBlank())) {
            throw new IllegalArgumentException("the dashboard needs the node token");
        }
        this.keys = nodeTokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    public LoginTokens(String nodeToken) {
        this(java.util.Collections.singletonList(nodeToken));
    }

    /** A token good until {@code now + LIFETIME}. */
    public String issue(Instant now) {
        long expiry = now.plus(LIFETIME).getEpochSecond();
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return expiry + "." + nonce + "." + mac(keys.getFirst(), expiry + "." + nonce);
    }

    /** Why a token is refused; {@link #ACCEPTED} when it logs in. */
    public enum Verdict { ACCEPTED, MALFORMED, WRONG_SIGNATURE, EXPIRED, ALREADY_USED, TOO_MANY }

    /** Checks a token and, when good, marks it used: the same link never logs in twice. */
    public synchronized Verdict redeem(String token, Instant now) {
        long nowSeconds = now.getEpochSecond();
        redeemed.values().removeIf(expiry -> expiry < nowSeconds);
        int dot = token == null ? -1 : token.indexOf('.');
        int macDot = token == null ? -1 : token.lastIndexOf('.');
        if (dot <= 0 || macDot <= dot + 1 || token.length() > 200) {
            return Verdict.MALFORMED;
        }
        long expiry;
        try {
            expiry = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return Verdict.MALFORMED;
        }
        byte[] given = token.substring(macDot + 1).getBytes(StandardCharsets.US_ASCII);
        String signedPart = token.substring(0, macDot);
        boolean signed = false;
        for (byte[] key : keys) {
            signed |= MessageDigest.isEqual(given, mac(key, signedPart).getBytes(StandardCharsets.US_ASCII));
        }
        if (!signed) {
            return Verdict.WRONG_SIGNATURE;
        }
        // Signed, so minted by a token holder; still, a link for longer than LIFETIME is none this code makes.
        if (expiry < nowSeconds || expiry > nowSeconds + LIFETIME.toSeconds() + 60) {
            return Verdict.EXPIRED;
        }
        if (redeemed.containsKey(token)) {
            return Verdict.ALREADY_USED;
        }
        if (redeemed.size() >= MAX_REMEMBERED) {
            // Refused rather than forgetting one: a forgotten token could log in a second time.
            return Verdict.TOO_MANY;
        }
        redeemed.put(token, expiry);
        return Verdict.ACCEPTED;
    }

    private static String mac(byte[] key, String expiryAndNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] out = mac.doFinal((PURPOSE + expiryAndNonce).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
