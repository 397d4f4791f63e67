package dev.pgfly.proxy;

/** Called when a client waits for a primary that does not exist: e.g. to start a scaled-to-zero member. */
@FunctionalInterface
public interface Waker {
    void wake();
}
