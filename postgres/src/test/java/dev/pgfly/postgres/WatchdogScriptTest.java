package dev.pgfly.postgres;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watchdog script itself, run by bash as the agent runs it, around a stand-in for the postmaster (perl,
 * which answers SIGQUIT as PostgreSQL's immediate shutdown does: it exits).
 */
class WatchdogScriptTest {
    @TempDir
    Path dir;

    private Path script() throws Exception {
        Path script = dir.resolve("pgfly-watchdog.sh");
        try (InputStream in = Postmaster.class.getResourceAsStream("pgfly-watchdog.sh")) {
            Files.copy(in, script);
        }
        return script;
    }

    private static long uptimeMillis() throws Exception {
        String up = Files.readString(Path.of("/proc/uptime")).split(" ")[0];
        return Math.round(Double.parseDouble(up) * 1000);
    }

    private Process start(Path lease) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "perl stands in for the postmaster");
        return new ProcessBuilder(List.of("bash", script().toString(), lease.toString(), "--", "/usr/bin/perl", "-e",
                "$SIG{QUIT} = sub { exit 3 }; sleep 60")).redirectErrorStream(true).start();
    }

    @Test
    void anExpiredLeaseShutsThePostmasterDownAtOnce() throws Exception {
        Path lease = dir.resolve("lease");
        long deadline = uptimeMillis() + 1500;
        Files.writeString(lease, deadline + "\n");
        Process watchdog = start(lease);
        assertThat(watchdog.waitFor(10, TimeUnit.SECONDS)).as("the watchdog ends with its postmaster").isTrue();
        long late = uptimeMillis() - deadline;
        assertThat(watchdog.exitValue()).as("the postmaster's own status").isEqualTo(3);
        assertThat(new String(watchdog.getInputStream().readAllBytes())).contains("lease expired");
        assertThat(late).as("fenced within a few of its 100 ms checks after the deadline").isLessThan(2_000);
        // Nothing of the watchdog's stays behind: no pid file, no FIFO it waits on.
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("lease", "pgfly-watchdog.sh");
        }
    }

    @Test
    void withoutALeaseThePostmasterRunsOn() throws Exception {
        Path lease = dir.resolve("lease");
        Files.writeString(lease, "0\n");
        Process watchdog = start(lease);
        try {
            assertThat(watchdog.waitFor(2, TimeUnit.SECONDS)).as("no lease: nothing to fence").isFalse();
            // A lease written later is seen within the slower cadence of a watchdog without one (0.5 s).
            long deadline = uptimeMillis() + 300;
            Files.writeString(lease, deadline + "\n");
            assertThat(watchdog.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(uptimeMillis() - deadline).isLessThan(2_000);
        } finally {
            watchdog.destroyForcibly();
        }
    }
}
