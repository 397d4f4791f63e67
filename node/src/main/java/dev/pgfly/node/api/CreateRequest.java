package dev.pgfly.node.api;

import dev.pgfly.backup.store.StoreSettings;

/**
 * What {@code pgfly create} asks the daemon for. Zero or null means "the default". {@code restore}
 * (optional) makes the cluster from a backup or a fork; {@code backupStore} (optional) is where the new
 * cluster's own backups go. {@code tls} null means the config's default (on for ha, off for dev).
 * {@code pooler}: transaction, session or off; null means the config's default (transaction for ha, off for dev).
 */
public record CreateRequest(String name, String config, String region, int members, boolean synchronous,
                            int port, String pgBin, long idleTimeoutSeconds, RestoreRequest restore,
                            StoreSettings backupStore, Boolean tls, boolean sameHost, String pooler) {

    /** As before {@code pooler}: the config's default pooler. */
    public CreateRequest(String name, String config, String region, int members, boolean synchronous,
                         int port, String pgBin, long idleTimeoutSeconds, RestoreRequest restore,
                         StoreSettings backupStore, Boolean tls, boolean sameHost) {
        this(name, config, region, members, synchronous, port, pgBin, idleTimeoutSeconds, restore, backupStore, tls,
                sameHost, null);
    }

    /** As before {@code sameHost}: members never share a node unless asked. */
    public CreateRequest(String name, String config, String region, int members, boolean synchronous,
                         int port, String pgBin, long idleTimeoutSeconds, RestoreRequest restore,
                         StoreSettings backupStore, Boolean tls) {
        this(name, config, region, members, synchronous, port, pgBin, idleTimeoutSeconds, restore, backupStore, tls, false);
    }


    /**
     * Refuses numbers no default could stand for: the API takes requests from any client holding the
     * token, and a negative count or port must be an error, never silently "the default".
     */
    public void requireSaneNumbers() {
        if (members < 0) {
            throw new IllegalArgumentException("members must be positive (or 0 for the default)");
        }
        if (port != 0 && (port < 1024 || port > 65534)) {
            throw new IllegalArgumentException("port must be from 1024 to 65534 (the next one serves replicas)");
        }
        if (idleTimeoutSeconds < 0) {
            throw new IllegalArgumentException("the idle timeout must not be negative");
        }
    }

    /** A cluster that does not scale to zero, made from scratch, archiving to the default store. */
    public CreateRequest(String name, String config, String region, int members, boolean synchronous, int port,
                         String pgBin) {
        this(name, config, region, members, synchronous, port, pgBin, 0, null, null, null);
    }
}
