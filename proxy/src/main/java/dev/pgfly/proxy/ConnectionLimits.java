package dev.pgfly.proxy;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;

/**
 * The bookkeeping behind the proxy's connection caps: at most {@code maxTotal} client connections at
 * once, and at most {@code maxPerSource} from one source address. Without them one local user filled
 * the proxy's descriptor limit with idle sockets and nobody else could connect (issue 18, hole 8).
 *
 * <p>A connection is <em>pending</em> from its accept until its startup packet arrives, then
 * <em>started</em>. When a new connection would exceed a cap, the oldest pending connection that counts
 * against that cap is evicted to make room, and only when none is pending is the newcomer refused. A
 * real client sends its startup packet within a millisecond of connecting, so a flood of silent
 * sockets (from one address or many: every local user can connect from any 127.x address, so the
 * per-source cap alone cannot stop a local attacker) keeps evicting itself, while connections that
 * speak, the daemon's own readiness checks among them, still get in. Connections that have spoken are
 * never evicted: past the caps those are refused.
 *
 * <p>Not thread-safe by itself: every method is synchronized on this object. Pure bookkeeping, no I/O:
 * the caller closes what {@link #admit} evicts.
 *
 * @param <C> the caller's handle of a connection (compared by identity)
 */
final class ConnectionLimits<C> {
    /** The answer to a new connection: admitted (possibly evicting an older pending one), or refused. */
    record Admission<C>(boolean admitted, Optional<C> evicted, String refusal) {
        static <C> Admission<C> admit(C evicted) {
            return new Admission<>(true, Optional.ofNullable(evicted), null);
        }

        static <C> Admission<C> refuse(String reason) {
            return new Admission<>(false, Optional.empty(), reason);
        }
    }

    private final int maxTotal;
    private final int maxPerSource;
    /** Every admitted connection's source; insertion order is age. */
    private final Map<C, String> sources = new HashMap<>();
    /** Pending connections, oldest first. */
    private final LinkedHashSet<C> pending = new LinkedHashSet<>();
    private final Map<String, Integer> perSource = new HashMap<>();

    ConnectionLimits(int maxTotal, int maxPerSource) {
        if (maxTotal < 1 || maxPerSource < 1) {
            throw new IllegalArgumentException("connection caps must be at least 1");
        }
        this.maxTotal = maxTotal;
        this.maxPerSource = Math.min(maxPerSource, maxTotal);
    }

    /**
     * Counts a new connection from {@code source} (an address, without the port) as pending, evicting
     * the oldest pending connection that stands in its way, or refuses it.
     */
    synchronized Admission<C> admit(C connection, String source) {
        C evicted = null;
        if (perSource.getOrDefault(source, 0) >= maxPerSource) {
            evicted = oldestPending(source);
            if (evicted == null) {
                return Admission.refuse("too many connections from " + source + " (at most " + maxPerSource + ")");
            }
        } else if (sources.size() >= maxTotal) {
            evicted = oldestPending(null);
            if (evicted == null) {
                return Admission.refuse("too many connections (at most " + maxTotal + ")");
            }
        }
        if (evicted != null) {
            release(evicted);
        }
        sources.put(connection, source);
        pending.add(connection);
        perSource.merge(source, 1, Integer::sum);
        return Admission.admit(evicted);
    }

    /**
     * The connection sent its startup packet: it can no longer be evicted. False when it was evicted
     * (or released) meanwhile: the caller must drop it.
     */
    synchronized boolean started(C connection) {
        return pending.remove(connection);
    }

    /** The connection ended (or was evicted): its slot is free. Releasing twice is harmless. */
    synchronized void release(C connection) {
        String source = sources.remove(connection);
        if (source == null) {
            return;
        }
        pending.remove(connection);
        perSource.computeIfPresent(source, (s, n) -> n <= 1 ? null : n - 1);
    }

    synchronized int total() {
        return sources.size();
    }

    synchronized int pending() {
        return pending.size();
    }

    synchronized int fromSource(String source) {
        return perSource.getOrDefault(source, 0);
    }

    private C oldestPending(String source) {
        for (C c : pending) {
            if (source == null || source.equals(sources.get(c))) {
                return c;
            }
        }
        return null;
    }
}
