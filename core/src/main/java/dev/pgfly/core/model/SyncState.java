package dev.pgfly.core.model;

import java.util.Set;
import java.util.TreeSet;

/**
 * The synchronous standby set as recorded by the primary of {@code term}. It is always a superset of
 * the standbys that may hold the newest acknowledged commit, so only its members may be promoted.
 */
public record SyncState(String primary, long term, Set<String> standbys) {
    public SyncState {
        standbys = Set.copyOf(new TreeSet<>(standbys));
    }
}
