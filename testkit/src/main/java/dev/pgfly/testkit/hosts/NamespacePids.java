package dev.pgfly.testkit.hosts;

import dev.pgfly.core.util.Pids;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every process in a network namespace, as `ip netns pids` finds them (each process whose
 * /proc/PID/ns/net is the namespace's file), but without starting a process per look: a crash looks
 * again and again until nothing is left. Zombies have no namespace any more and are not listed.
 */
final class NamespacePids {
    private static final Path PROC = Path.of("/proc");
    private static final Duration KILL_DEADLINE = Duration.ofSeconds(30);

    private NamespacePids() {
    }

    /** The processes in the namespace named by {@code nsFile} (/run/netns/NAME); none once it is gone. */
    static Set<Long> of(Path nsFile) {
        String wanted;
        try {
            wanted = "net:[" + Files.getAttribute(nsFile, "unix:ino") + "]";
        } catch (IOException | UnsupportedOperationException e) {
            return Set.of();
        }
        Set<Long> pids = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
            for (Path entry : entries) {
                try {
                    if (Files.readSymbolicLink(entry.resolve("ns/net")).toString().equals(wanted)) {
                        pids.add(Long.parseLong(entry.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone since the listing, a zombie, or a kernel thread: not in the namespace
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        return pids;
    }

    /**
     * SIGKILL to every process in the namespace, again until none is left (a process may fork between
     * a look and the kill), then waits until each one killed has exited.
     */
    static void killAll(Path nsFile) {
        long deadline = System.nanoTime() + KILL_DEADLINE.toNanos();
        Set<Long> killed = new HashSet<>();
        try {
            for (Set<Long> left = of(nsFile); !left.isEmpty(); left = of(nsFile)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("processes in " + nsFile.getFileName() + " survive SIGKILL: " + left);
                }
                for (long pid : left) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    killed.add(pid);
                }
                Thread.sleep(2);
            }
            for (long pid : killed) {
                while (Pids.running(pid)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("process " + pid + " of " + nsFile.getFileName()
                                + " still runs after SIGKILL");
                    }
                    Thread.sleep(2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while crashing " + nsFile.getFileName(), e);
        }
    }

    private static boolean isNumber(String name) {
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }
}
