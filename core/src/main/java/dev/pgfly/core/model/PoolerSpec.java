package dev.pgfly.core.model;

import java.util.Locale;

/**
 * A cluster's connection pooler (PgBouncer, next to each proxy): how it pools, where it listens, how big
 * its pools are. Absent from the cluster spec when the pooler is off.
 *
 * @param mode       {@link PoolMode#TRANSACTION} (a server connection per transaction: many short-lived
 *                   clients share a few servers) or {@link PoolMode#SESSION} (one per client session)
 * @param port       the pooled port on each proxy's address
 * @param poolSize   server connections per database and user (PgBouncer's default_pool_size)
 * @param maxClients client connections the pooler accepts at once (max_client_conn)
 */
public record PoolerSpec(PoolMode mode, int port, int poolSize, int maxClients) {
    public static final int DEFAULT_POOL_SIZE = 20;
    public static final int DEFAULT_MAX_CLIENTS = 1000;
    /** Far below the descriptor limit PgBouncer gets: each client and server takes one. */
    public static final int MAX_CLIENTS_LIMIT = 10_000;

    /**
     * PgBouncer's statement mode is not offered: it breaks every multi-statement transaction, and an
     * application that needs it knows to run PgBouncer itself.
     */
    public enum PoolMode {
        TRANSACTION, SESSION;

        /** The word PgBouncer's pool_mode takes. */
        public String pgbouncerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PoolerSpec {
        if (mode == null) {
            throw new IllegalArgumentException("a pooler needs a pool mode (transaction or session)");
        }
        if (port != 0 && (port < 1024 || port > 65535)) {
            throw new IllegalArgumentException("the pooler port must be from 1024 to 65535");
        }
        if (poolSize < 1 || poolSize > 1000) {
            throw new IllegalArgumentException("the pool size must be from 1 to 1000 server connections");
        }
        if (maxClients < 1 || maxClients > MAX_CLIENTS_LIMIT) {
            throw new IllegalArgumentException("the pooler's client limit must be from 1 to " + MAX_CLIENTS_LIMIT);
        }
        if (poolSize > maxClients) {
            throw new IllegalArgumentException("the pool size (" + poolSize + ") must not exceed the client limit ("
                    + maxClients + ")");
        }
    }

    /** A pooler in {@code mode} with the default sizes, its port not chosen yet (0). */
    public static PoolerSpec of(PoolMode mode) {
        return new PoolerSpec(mode, 0, DEFAULT_POOL_SIZE, DEFAULT_MAX_CLIENTS);
    }

    /**
     * {@code transaction}, {@code session} or {@code off} (null); anything else is refused with the words
     * a user can act on.
     */
    public static PoolMode parseMode(String word) {
        if (word == null) {
            throw new IllegalArgumentException("--pooler takes transaction, session or off");
        }
        return switch (word.strip().toLowerCase(Locale.ROOT)) {
            case "transaction" -> PoolMode.TRANSACTION;
            case "session" -> PoolMode.SESSION;
            case "off" -> null;
            case "statement" -> throw new IllegalArgumentException(
                    "statement pooling breaks multi-statement transactions; use transaction, session or off");
            default -> throw new IllegalArgumentException("unknown pool mode '" + word
                    + "': use transaction, session or off");
        };
    }

    public PoolerSpec withPort(int newPort) {
        return new PoolerSpec(mode, newPort, poolSize, maxClients);
    }

    public PoolerSpec withMode(PoolMode newMode) {
        return new PoolerSpec(newMode, port, poolSize, maxClients);
    }

    public PoolerSpec withSizes(int newPoolSize, int newMaxClients) {
        return new PoolerSpec(mode, port, newPoolSize, newMaxClients);
    }
}
