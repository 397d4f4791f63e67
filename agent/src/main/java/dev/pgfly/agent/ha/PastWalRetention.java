package dev.pgfly.agent.ha;

import java.util.List;

/**
 * A replica that stayed away longer than the primary keeps WAL for it ({@code max_slot_wal_keep_size}, set
 * by {@code WalBudget}) asks for WAL the primary has removed, and PostgreSQL's walreceiver says so in the
 * replica's log, once a retry: "requested WAL segment ... has already been removed". Streaming can never
 * resume then; only a fresh clone helps. Read from the lines the log got since PostgreSQL last started,
 * so that a line from before a re-clone is never taken for a new one.
 */
final class PastWalRetention {
    static final String REMOVED = "has already been removed";

    private PastWalRetention() {
    }

    /** Whether the walreceiver reported that the WAL it asks for is gone from its upstream. */
    static boolean reported(List<String> linesSinceStart) {
        return linesSinceStart.stream().anyMatch(l -> l.contains("requested WAL segment") && l.contains(REMOVED));
    }
}
