package dev.pgfly.core.ha;

/** What a member should do when no leader exists: promote itself, or wait with a reason to report. */
public record ElectionResult(boolean promote, String reason) {

    static ElectionResult promote(String reason) {
        return new ElectionResult(true, reason);
    }

    static ElectionResult waitBecause(String reason) {
        return new ElectionResult(false, reason);
    }
}
