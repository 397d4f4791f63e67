package dev.pgfly.testkit;

import dev.pgfly.core.util.Pids;

import java.io.IOException;

/** Faults on processes a test started, by pid: SIGKILL, or any signal (STOP and CONT to freeze and thaw). */
public final class Processes {
    private static final long EXIT_WAIT_MILLIS = 10_000;

    private Processes() {
    }

    /**
     * SIGKILL, when {@code pid} names a live process (0 or less: nothing to kill), and returns once it
     * is gone (at most 10 s). A kill is not instant: right after the signal the process still exists,
     * and a health check then would count the cluster healthy before the fault took effect (the chaos
     * campaign saw "healthy again 35 ms after" killing a primary's PostgreSQL).
     */
    public static void kill(long pid) throws InterruptedException {
        if (pid <= 0) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.currentTimeMillis() + EXIT_WAIT_MILLIS;
        while (Pids.running(pid) && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
    }

    public static void signal(String signal, long pid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
    }
}
