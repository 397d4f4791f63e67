package dev.pgfly.node.dashboard;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The browser sessions a login link opened: random ids kept in memory (a node restart logs every browser
 * out, as it changes the node token), each good for {@link #LIFETIME}. At most {@link #MAX} live at once;
 * the oldest goes first, so nobody can fill the node's memory by logging in again and again.
 */
public final class Sessions {
    public static final Duration LIFETIME = Duration.ofHours(12);
    static final int MAX = 256;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> expiries = new LinkedHashMap<>();

    /** A new session's id, for the cookie. */
    public synchronized String open(Instant now) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        expiries.values().removeIf(e -> e.isBefore(now));
        if (expiries.size() >= MAX) {
            expiries.remove(expiries.keySet().iterator().next());
        }
        expiries.put(text, now.plus(LIFETIME));
        return text;
    }

    public synchronized boolean valid(String id, Instant now) {
        if (id == null) {
            return false;
        }
        // Compared in constant time, one by one: a timing difference must not leak a live id's prefix.
        byte[] given = id.getBytes(StandardCharsets.US_ASCII);
        for (Map.Entry<String, Instant> e : expiries.entrySet()) {
            if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.US_ASCII))) {
                return !e.getValue().isBefore(now);
            }
        }
        return false;
    }
}
