package dev.pgfly.core.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether a process id names a process that still runs. {@link ProcessHandle#isAlive()} alone says
 * yes for a zombie: a process killed but not yet reaped by its parent keeps its pid, and the daemon
 * once called a primary's killed agent running for the ~175 ms its reaper took under load, which
 * the chaos campaign read as "healthy again 54 ms after" killing it (round 169, seed 1125).
 */
public final class Pids {
    private Pids() {
    }

    /** Alive and not a zombie; 0 or less is no process. */
    public static boolean running(long pid) {
        if (pid <= 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            return !zombie(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (NoSuchFileException e) {
            return false; // gone between the two looks
        } catch (IOException | RuntimeException e) {
            return true; // no /proc to ask: the process handle's answer stands
        }
    }

    /** A /proc/PID/stat line, "pid (comm) S ...": the state follows the last ')', as comm may hold one. */
    static boolean zombie(String stat) {
        int end = stat.lastIndexOf(')');
        return end >= 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z';
    }
}
