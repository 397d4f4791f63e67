package dev.pgfly.backup.store;

import java.io.IOException;

/** An object whose bytes do not match the SHA-256 recorded when it was stored: corrupted or truncated. */
public final class ChecksumMismatchException extends IOException {
    public ChecksumMismatchException(String key, String expected, String actual) {
        super("object " + key + " is corrupted: SHA-256 " + shortHex(actual) + " does not match the recorded "
                + shortHex(expected));
    }

    private static String shortHex(String hex) {
        return hex == null ? "(none)" : hex.length() > 12 ? hex.substring(0, 12) + "…" : hex;
    }
}
