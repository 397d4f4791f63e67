package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.StoreCredentials;

/** The store identity of every peer the tests of one JVM start: a process has one (see SuperIdentity). */
public final class TestStoreIdentity {
    public static final StoreCredentials CREDENTIALS = StoreCredentials.generate("pgfly");

    private TestStoreIdentity() {
    }
}
