package dev.pgfly.node.pooler;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A pause never blocks a switchover: a pooler that cannot pause is resumed at once and named in an event. */
class PoolerPauseTest {
    static class FakeConsole implements PoolerPause.Console {
        final String address;
        final boolean pauses;
        final List<String> commands = new ArrayList<>();

        FakeConsole(String address, boolean pauses) {
            this.address = address;
            this.pauses = pauses;
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public synchronized void pause(Duration bound) throws SQLException {
            commands.add("PAUSE");
            if (!pauses) {
                throw new SQLException("PAUSE did not finish within " + bound.toSeconds() + " s");
            }
        }

        @Override
        public void resume() {
            synchronized (this) {
                commands.add("RESUME");
            }
            resumeCalls.countDown();
        }

        final java.util.concurrent.CountDownLatch resumeCalls = new java.util.concurrent.CountDownLatch(1);

        synchronized List<String> commands() {
            return List.copyOf(commands);
        }
    }

    /** A console whose RESUME hangs until released, as one on a host that answers nothing. */
    static final class HangingConsole extends FakeConsole {
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        HangingConsole(String address) {
            super(address, false);
        }

        @Override
        public void resume() {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.resume();
        }
    }

    @Test
    void everyPoolerPausedIsResumedOnceAfterTheHandover() {
        FakeConsole a = new FakeConsole("h1:6432", true);
        FakeConsole b = new FakeConsole("h2:6432", true);
        List<String> events = new ArrayList<>();
        try (PoolerPause pause = PoolerPause.pause(List.of(a, b), Duration.ofSeconds(10), (k, t) -> events.add(k))) {
            assertThat(pause.anyPaused()).isTrue();
            assertThat(a.commands).containsExactly("PAUSE");
            pause.resume();
            assertThat(pause.anyPaused()).isFalse();
        }
        assertThat(a.commands).containsExactly("PAUSE", "RESUME");
        assertThat(b.commands).containsExactly("PAUSE", "RESUME");
        assertThat(events).isEmpty();
    }

    @Test
    void aPoolerThatCannotPauseIsResumedAtOnceAndTheSwitchoverGoesOn() throws InterruptedException {
        FakeConsole stuck = new FakeConsole("h1:6432", false);
        FakeConsole fine = new FakeConsole("h2:6432", true);
        List<String> events = new ArrayList<>();
        try (PoolerPause pause = PoolerPause.pause(List.of(stuck, fine), Duration.ofSeconds(10),
                (k, t) -> events.add(k + ": " + t))) {
            // RESUME ends the PAUSE still waiting: its clients are not held through the handover
            assertThat(stuck.resumeCalls.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(stuck.commands()).containsExactly("PAUSE", "RESUME");
            assertThat(pause.outcomes()).extracting(PoolerPause.Outcome::paused).containsExactly(false, true);
            assertThat(events).singleElement().asString().startsWith("pooler-pause-skipped: pooler h1:6432")
                    .contains("within 10 s");
        }
        assertThat(stuck.commands()).containsExactly("PAUSE", "RESUME");
        assertThat(fine.commands()).containsExactly("PAUSE", "RESUME");
    }

    /** The switchover goes on while the RESUME of a pooler that did not pause is still trying its host. */
    @Test
    void aPoolerThatDoesNotAnswerDoesNotHoldTheSwitchoverNorTheOthersClients() throws InterruptedException {
        HangingConsole gone = new HangingConsole("h1:6432");
        FakeConsole fine = new FakeConsole("h2:6432", true);
        try (PoolerPause pause = PoolerPause.pause(List.of(gone, fine), Duration.ofSeconds(10), (k, t) -> { })) {
            assertThat(pause.anyPaused()).as("returned while h1's RESUME still hangs").isTrue();
            assertThat(gone.commands()).containsExactly("PAUSE");
            pause.resume();
            assertThat(fine.commands()).containsExactly("PAUSE", "RESUME");
        }
        gone.release.countDown();
        assertThat(gone.resumeCalls.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(gone.commands()).containsExactly("PAUSE", "RESUME");
    }

    @Test
    void noPoolerNothingToDo() {
        try (PoolerPause pause = PoolerPause.none()) {
            assertThat(pause.anyPaused()).isFalse();
        }
    }
}
