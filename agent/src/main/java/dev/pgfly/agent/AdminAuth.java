package dev.pgfly.agent;

import com.sun.net.httpserver.HttpExchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Mutating API calls carry the cluster token ({@code Authorization: Bearer TOKEN}); compared in constant time. */
final class AdminAuth {
    private AdminAuth() {
    }

    static boolean authorized(HttpExchange ex, String token) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ") || token == null || token.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8));
    }
}
