package dev.pgfly.core.util;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PidsTest {
    @Test
    void theStateIsReadAfterTheLastParenthesisOfTheCommand() {
        assertThat(Pids.zombie("42 (java) Z 1 42 42 0 -1")).isTrue();
        assertThat(Pids.zombie("42 (odd) name) S 1 42 42 0 -1")).isFalse();
        assertThat(Pids.zombie("42 (a) Z) R 1")).isFalse();
        assertThat(Pids.zombie("garbage")).isFalse();
    }

    @Test
    void aKilledProcessItsParentHasNotReapedIsNotRunning() throws Exception {
        // bash starts "sleep 300" in the background, then becomes "sleep 60" (exec), which never waits
        // for children: the inner sleep, once killed, stays a zombie for as long as the outer one lives.
        Process outer = new ProcessBuilder("bash", "-c", "sleep 300 & exec sleep 60").start();
        try {
            ProcessHandle inner = await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> outer.toHandle().children().findFirst().orElse(null), h -> h != null);
            assertThat(Pids.running(inner.pid())).isTrue();
            inner.destroyForcibly();
            await().atMost(10, TimeUnit.SECONDS).until(() -> !Pids.running(inner.pid()));
            assertThat(inner.isAlive()).as("the JDK's own answer for a zombie").isTrue();
        } finally {
            outer.destroyForcibly().waitFor();
        }
        assertThat(Pids.running(outer.pid())).isFalse();
        assertThat(Pids.running(0)).isFalse();
    }
}
