package dev.pgfly.testkit;

import dev.pgfly.core.util.Pids;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessesTest {

    @Test
    void killReturnsOnceTheProcessIsGone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        long pid = sleeper.pid();
        assertThat(Pids.running(pid)).isTrue();
        Processes.kill(pid);
        assertThat(Pids.running(pid)).isFalse();
        // the JVM's reaper thread collects the exit status a moment later: the process has exited,
        // and only a zombie's entry remained until then (isAlive() may still say true right away)
        assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(sleeper.exitValue()).isEqualTo(137);
    }

    @Test
    void nothingToKillIsNotAnError() throws Exception {
        Processes.kill(0);
        Processes.kill(-1);
        assertThat(Pids.running(Long.MAX_VALUE / 2)).isFalse();
    }
}
