package dev.pgfly.core.util;

import java.util.List;

/**
 * What keeps pgfly's own long-running JVMs (node, agents, proxies) small at rest, measured with
 * {@code bench/memory} (docs/benchmarks.md): each flag here earned its place there.
 */
public final class JvmFootprint {
    /**
     * After a collection the serial collector gives memory back until at most a fifth of the heap is free:
     * an agent's live data is about 12 MB, and without this its heap stayed at whatever a busy moment grew it to.
     */
    public static final List<String> SHRINKING_HEAP = List.of("-XX:MinHeapFreeRatio=5", "-XX:MaxHeapFreeRatio=20");

    private JvmFootprint() {
    }

    /**
     * glibc gives each thread that allocates natively its own malloc arena (up to 8 per core), and a JVM's
     * threads touch many of them: two are enough for processes that mostly wait. Kept when the operator set it.
     */
    public static ProcessBuilder withFewMallocArenas(ProcessBuilder builder) {
        builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
        return builder;
    }
}
