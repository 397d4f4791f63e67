package dev.pgfly.node.backup;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL ends its archive and restore commands with SIGQUIT (immediate shutdown, crash restart).
 * A JVM started with the options of pgfly's WAL script must not catch that signal, so it dies as a
 * shell program would. A JVM without them catches it (for a thread dump) and keeps running: DevClusterIT
 * once found such a {@code wal push} still alive after {@code daemon stop}.
 */
class WalCommandSignalsTest {
    private static final int SIGQUIT = 3;

    /** Prints "ready" once started, then waits: the child these tests signal. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }

    @Test
    void theWalScriptsJvmDiesOnSigquit() throws Exception {
        Process p = startSleeper(ClusterBackups.WAL_JVM_OPTIONS);
        try {
            assertThat(signalMask(p, "SigCgt").testBit(SIGQUIT - 1)).as("SIGQUIT caught by the JVM").isFalse();
            if (!signalMask(p, "SigIgn").testBit(SIGQUIT - 1)) {
                // Only where this environment did not hand the child SIGQUIT ignored (PostgreSQL does not).
                new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).start().waitFor();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("ended by SIGQUIT").isTrue();
                assertThat(p.exitValue()).isEqualTo(128 + SIGQUIT);
            }
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aJvmWithoutThemCatchesSigquit() throws Exception {
        Process p = startSleeper(List.of());
        try {
            assertThat(signalMask(p, "SigCgt").testBit(SIGQUIT - 1)).isTrue();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private static Path testClasses() {
        try {
            return Path.of(Sleeper.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Process startSleeper(List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(testClasses().toString());
        command.add(Sleeper.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String first = out.readLine();
        if (!"ready".equals(first)) {
            p.destroyForcibly();
            throw new IllegalStateException("the sleeper did not start: " + first);
        }
        return p;
    }

    /** A signal mask line of /proc/PID/status (hex), e.g. SigCgt: the signals the process catches. */
    private static BigInteger signalMask(Process p, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return new BigInteger(line.substring(field.length() + 1).strip(), 16);
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + p.pid() + "/status");
    }
}
