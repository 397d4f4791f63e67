package dev.pgfly.agent;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the {@code vm} check looks at: space on the volume holding the data directory, the host's
 * memory (from /proc/meminfo; zero when unknown) and its load average. Cheap to read: no process runs.
 */
record HostStats(long diskFreeBytes, long diskTotalBytes, long memAvailableBytes, long memTotalBytes,
                 double load1, int cpus) {

    static HostStats read(Path dataVolume) {
        long free = 0;
        long total = 0;
        try {
            FileStore store = Files.getFileStore(Files.exists(dataVolume) ? dataVolume : dataVolume.getParent());
            free = store.getUsableSpace();
            total = store.getTotalSpace();
        } catch (IOException | RuntimeException e) {
            // unknown: the check says so
        }
        long[] memory = meminfo();
        return new HostStats(free, total, memory[0], memory[1],
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    /** {MemAvailable, MemTotal} in bytes from /proc/meminfo, zeros where not available. */
    private static long[] meminfo() {
        long available = 0;
        long total = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    available = kilobytes(line) * 1024;
                } else if (line.startsWith("MemTotal:")) {
                    total = kilobytes(line) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: unknown
        }
        return new long[] {available, total};
    }

    private static long kilobytes(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]);
    }
}
