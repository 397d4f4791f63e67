package dev.pgfly.testkit.hosts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OwnerTest {

    @Test
    void thisProcessIsALiveOwner() {
        Owner me = Owner.current();
        assertThat(Owner.parse(me.format())).contains(me);
        assertThat(me.alive()).isTrue();
    }

    @Test
    void aPidReusedByAnotherProcessIsNoOwner() {
        Owner me = Owner.current();
        assertThat(new Owner(me.pid(), me.startMillis() - 60_000).alive()).isFalse();
        assertThat(new Owner(me.pid(), me.startMillis() + Owner.START_TOLERANCE_MILLIS + 1).alive()).isFalse();
    }

    @Test
    void anotherJvmsReadingOfTheStartWithinASecondOrTwoIsTheSameOwner() {
        Owner me = Owner.current();
        assertThat(new Owner(me.pid(), me.startMillis() - 1_000).alive()).isTrue();
        assertThat(new Owner(me.pid(), me.startMillis() + Owner.START_TOLERANCE_MILLIS).alive()).isTrue();
    }

    @Test
    void aGoneProcessOrAnUnreadableFileIsNoOwner() {
        assertThat(new Owner(Long.MAX_VALUE / 2, 1).alive()).isFalse();
        assertThat(Owner.parse("")).isEmpty();
        assertThat(Owner.parse("12 abc")).isEmpty();
    }
}
