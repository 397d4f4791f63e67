package dev.pgfly.testkit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessesTest {

    @Test
    void killReturnsOnceTheProcessIsGone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        long pid = sleeper.pid();
        assertThat(Processes.isRunning(pid)).isTrue();
        Processes.kill(pid);
        assertThat(Processes.isRunning(pid)).isFalse();
        assertThat(sleeper.isAlive()).isFalse();
    }

    @Test
    void nothingToKillIsNotAnError() throws Exception {
        Processes.kill(0);
        Processes.kill(-1);
        assertThat(Processes.isRunning(Long.MAX_VALUE / 2)).isFalse();
    }
}
