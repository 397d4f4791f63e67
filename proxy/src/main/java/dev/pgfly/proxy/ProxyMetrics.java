package dev.pgfly.proxy;

import java.util.concurrent.atomic.AtomicLong;

/** The proxy's counters; exposed in Prometheus format by whoever runs the proxy. */
public final class ProxyMetrics {
    final AtomicLong primaryOpen = new AtomicLong();
    final AtomicLong primaryTotal = new AtomicLong();
    final AtomicLong replicaOpen = new AtomicLong();
    final AtomicLong replicaTotal = new AtomicLong();
    final AtomicLong bytesToServer = new AtomicLong();
    final AtomicLong bytesToClient = new AtomicLong();
    final AtomicLong held = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong closedOnTermChange = new AtomicLong();
    final AtomicLong routeChanges = new AtomicLong();
    final AtomicLong wakeUps = new AtomicLong();
    final AtomicLong overCap = new AtomicLong();
    final AtomicLong evictedSilent = new AtomicLong();
    final AtomicLong startupTimeouts = new AtomicLong();
    final AtomicLong acceptFailures = new AtomicLong();

    public long primaryOpen() {
        return primaryOpen.get();
    }

    public long primaryTotal() {
        return primaryTotal.get();
    }

    public long replicaOpen() {
        return replicaOpen.get();
    }

    public long replicaTotal() {
        return replicaTotal.get();
    }

    public long bytesToServer() {
        return bytesToServer.get();
    }

    public long bytesToClient() {
        return bytesToClient.get();
    }

    public long held() {
        return held.get();
    }

    public long refused() {
        return refused.get();
    }

    public long closedOnTermChange() {
        return closedOnTermChange.get();
    }

    public long routeChanges() {
        return routeChanges.get();
    }

    public long wakeUps() {
        return wakeUps.get();
    }

    /** Connections refused because a connection cap was reached and nothing could be evicted. */
    public long overCap() {
        return overCap.get();
    }

    /** Connections closed before their startup packet to make room under a cap for a newer one. */
    public long evictedSilent() {
        return evictedSilent.get();
    }

    /** Connections closed because their startup packet did not arrive within the startup timeout. */
    public long startupTimeouts() {
        return startupTimeouts.get();
    }

    public long acceptFailures() {
        return acceptFailures.get();
    }
}
