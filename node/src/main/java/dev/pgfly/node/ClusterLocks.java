package dev.pgfly.node;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/** One lock per cluster: every operation on a cluster holds it, so two never interleave. */
final class ClusterLocks {
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** Runs {@code action} if no operation holds the cluster now; false when one does (try again later). */
    boolean lockedIfFree(String name, Callable<?> action) throws Exception {
        ReentrantLock lock = locks.computeIfAbsent(name, n -> new ReentrantLock());
        if (!lock.tryLock()) {
            return false;
        }
        try {
            action.call();
            return true;
        } finally {
            lock.unlock();
        }
    }

    <T> T locked(String name, Callable<T> action) throws Exception {
        ReentrantLock lock = locks.computeIfAbsent(name, n -> new ReentrantLock());
        lock.lock();
        try {
            return action.call();
        } finally {
            lock.unlock();
        }
    }
}
