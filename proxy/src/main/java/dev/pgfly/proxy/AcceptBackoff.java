package dev.pgfly.proxy;

/**
 * How long the accept loop pauses after a failed accept: 50 ms, doubling up to 500 ms while accepts
 * keep failing, back to nothing after one succeeds. An accept that fails with "too many open files"
 * fails again at once: without a pause the loop spun at 61 % of a core (issue 18, hole 8), and a pause
 * also gives connections that are closing time to free their descriptors.
 */
final class AcceptBackoff {
    static final long FIRST_MILLIS = 50;
    static final long MAX_MILLIS = 500;

    private long next = FIRST_MILLIS;

    /** The pause after one more failure. */
    long failed() {
        long pause = next;
        next = Math.min(MAX_MILLIS, next * 2);
        return pause;
    }

    void succeeded() {
        next = FIRST_MILLIS;
    }
}
