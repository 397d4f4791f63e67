package dev.pgfly.proxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AcceptBackoffTest {
    @Test
    void doublesFrom50To500MillisAndResetsAfterASuccess() {
        AcceptBackoff backoff = new AcceptBackoff();
        assertThat(new long[] {backoff.failed(), backoff.failed(), backoff.failed(), backoff.failed(), backoff.failed(),
                backoff.failed()}).containsExactly(50, 100, 200, 400, 500, 500);
        backoff.succeeded();
        assertThat(backoff.failed()).isEqualTo(50);
    }
}
