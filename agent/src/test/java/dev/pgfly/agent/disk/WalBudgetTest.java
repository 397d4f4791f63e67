package dev.pgfly.agent.disk;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class WalBudgetTest {
    private static final long MB = 1L << 20;

    @Test
    void aLargeVolumeKeepsPostgresDefaultsAndBoundsSlotsToATenth() {
        assertThat(WalBudget.settings(100L * 1024 * MB)).containsExactly(
                entry("max_slot_wal_keep_size", "10240MB"), entry("wal_keep_size", "128MB"),
                entry("max_wal_size", "1024MB"), entry("min_wal_size", "80MB"));
    }

    @Test
    void aSmallVolumeGetsASmallBudgetThatPostgresStillAccepts() {
        assertThat(WalBudget.settings(128 * MB)).containsExactly(
                entry("max_slot_wal_keep_size", "32MB"), entry("wal_keep_size", "6MB"),
                entry("max_wal_size", "32MB"), entry("min_wal_size", "32MB"));
    }

    @Test
    void anUnknownVolumeChangesNothing() {
        assertThat(WalBudget.settings(0)).isEmpty();
    }
}
