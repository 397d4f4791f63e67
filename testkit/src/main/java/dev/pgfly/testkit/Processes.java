package dev.pgfly.testkit;

import java.io.IOException;

/** Faults on processes a test started, by pid: SIGKILL, or any signal (STOP and CONT to freeze and thaw). */
public final class Processes {
    private Processes() {
    }

    /** SIGKILL, when {@code pid} names a live process (0 or less: nothing to kill). */
    public static void kill(long pid) {
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    public static void signal(String signal, long pid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
    }
}
