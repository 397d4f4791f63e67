package dev.pgfly.proxy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedLogTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-test");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final AtomicLong now = new AtomicLong();
    private RateLimitedLog log;

    @BeforeEach
    void setUp() {
        events.start();
        logger.addAppender(events);
        log = new RateLimitedLog(logger, Duration.ofSeconds(10), now::get);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(events);
    }

    @Test
    void logsOncePerIntervalPerKindAndCountsWhatItLeftOut() {
        assertThat(log.warn("accept", "accept failed 1")).isTrue();
        for (int i = 0; i < 1000; i++) {
            now.addAndGet(Duration.ofMillis(5).toNanos());
            assertThat(log.warn("accept", "accept failed")).isFalse();
        }
        assertThat(log.warn("over-cap", "refused")).as("another kind has its own budget").isTrue();

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(log.warn("accept", "accept failed 2")).isTrue();

        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "accept failed 1", "refused", "accept failed 2 (1000 more like it in the last 10 s not logged)");
    }

    @Test
    void aQuietKindLogsEveryTime() {
        for (int i = 0; i < 3; i++) {
            assertThat(log.warn("rare", "rare " + i)).isTrue();
            now.addAndGet(Duration.ofSeconds(11).toNanos());
        }
        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("rare 0", "rare 1", "rare 2");
    }
}
