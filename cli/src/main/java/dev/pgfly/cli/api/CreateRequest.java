package dev.pgfly.cli.api;

import dev.pgfly.backup.store.StoreSettings;

/**
 * What {@code pgfly create} asks the daemon for. Zero or null means "the default". {@code restore}
 * (optional) makes the cluster from a backup or a fork; {@code backupStore} (optional) is where the new
 * cluster's own backups go.
 */
public record CreateRequest(String name, String config, String region, int members, boolean synchronous,
                            int port, String pgBin, long idleTimeoutSeconds, RestoreRequest restore,
                            StoreSettings backupStore) {

    /** A cluster that does not scale to zero, made from scratch, archiving to the default store. */
    public CreateRequest(String name, String config, String region, int members, boolean synchronous, int port,
                         String pgBin) {
        this(name, config, region, members, synchronous, port, pgBin, 0, null, null);
    }
}
