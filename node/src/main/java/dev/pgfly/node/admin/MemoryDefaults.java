package dev.pgfly.node.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Memory settings for a new cluster, from the memory of the host. In local mode every member of a
 * cluster shares one machine with everything else the user runs, so a member gets a quarter of the
 * host's memory divided by the number of members, and PostgreSQL's usual proportions apply to that
 * share: shared_buffers a quarter, effective_cache_size three quarters, work_mem what is left per
 * connection and sort. Bounds keep a laptop responsive and a big host sensible.
 */
public final class MemoryDefaults {
    private static final long MB = 1024L * 1024;
    static final int MAX_CONNECTIONS = 100;

    private MemoryDefaults() {
    }

    public static Map<String, String> forHost(long hostMemoryBytes, int membersOnHost) {
        long perMember = hostMemoryBytes / 4 / Math.max(1, membersOnHost);
        long sharedBuffers = clamp(perMember / 4, 128 * MB, 8192 * MB);
        long effectiveCache = clamp(perMember * 3 / 4, 256 * MB, 65536 * MB);
        // Each connection may run a few sorts or hashes at once: leave room for three per connection.
        long workMem = clamp((perMember - sharedBuffers) / (MAX_CONNECTIONS * 3L), 4 * MB, 64 * MB);
        long maintenanceWorkMem = clamp(perMember / 16, 64 * MB, 2048 * MB);
        Map<String, String> s = new LinkedHashMap<>();
        s.put("max_connections", Integer.toString(MAX_CONNECTIONS));
        s.put("shared_buffers", mb(sharedBuffers));
        s.put("effective_cache_size", mb(effectiveCache));
        s.put("work_mem", mb(workMem));
        s.put("maintenance_work_mem", mb(maintenanceWorkMem));
        return s;
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }

    private static String mb(long bytes) {
        return bytes / MB + "MB";
    }
}
