package dev.pgfly.postgres;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The watchdog lease on the monotonic clock (/proc/uptime) that both the agent and the script read. */
class MonotonicClockTest {
    private Path dir;
    private Process watchdog;

    @AfterEach
    void tearDown() throws Exception {
        if (watchdog != null) {
            watchdog.descendants().forEach(ProcessHandle::destroyForcibly);
            watchdog.destroyForcibly();
            watchdog.waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            dev.pgfly.core.util.FileTrees.delete(dir);
        }
    }

    @Test
    void parsesUptime() {
        assertThat(MonotonicClock.parseUptimeMillis("12345.67 98765.43\n")).isEqualTo(12_345_670L);
        assertThat(MonotonicClock.parseUptimeMillis("0.05 0.01")).isEqualTo(50L);
    }

    @Test
    void readsTheKernelsUptime() throws Exception {
        long a = MonotonicClock.millis();
        Thread.sleep(30);
        assertThat(MonotonicClock.millis()).isGreaterThanOrEqualTo(a).isLessThan(a + 5_000);
    }

    @Test
    void theWatchdogFencesOnceTheMonotonicDeadlinePasses() throws Exception {
        Path lease = startWatchdog(MonotonicClock.millis() + 60_000);
        Thread.sleep(1_000);
        assertThat(Files.readString(dir.resolve("out"))).as("a lease a minute ahead on the uptime clock holds")
                .doesNotContain("lease expired");

        Files.writeString(lease, (MonotonicClock.millis() - 1) + "\n");
        // (The stand-in for PostgreSQL ignores SIGQUIT, as background jobs of a script do; the watchdog says it fenced.)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(dir.resolve("out")).contains("lease expired") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(dir.resolve("out"))).as("an expired lease fences at once").contains("lease expired");
    }

    @Test
    void aWallClockDeadlineIsNoLongerRead() throws Exception {
        // The old format (epoch ms) is far beyond any uptime: it must never fence, and a lease of 0 neither.
        startWatchdog(System.currentTimeMillis() - 10_000);
        Thread.sleep(800);
        assertThat(watchdog.isAlive()).isTrue();
        assertThat(Files.readString(dir.resolve("out"))).doesNotContain("lease expired");
    }

    private Path startWatchdog(long deadline) throws Exception {
        dir = Files.createTempDirectory("pgfly-watchdog-test");
        Path script = dir.resolve("pgfly-watchdog.sh");
        try (InputStream in = Postmaster.class.getResourceAsStream("pgfly-watchdog.sh")) {
            Files.write(script, in.readAllBytes());
        }
        Path lease = dir.resolve("lease");
        Files.writeString(lease, deadline + "\n");
        watchdog = new ProcessBuilder(List.of("bash", script.toString(), lease.toString(), "--", "sleep", "60"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
        return lease;
    }
}
