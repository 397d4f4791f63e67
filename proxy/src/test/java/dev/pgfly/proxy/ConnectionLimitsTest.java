package dev.pgfly.proxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionLimitsTest {
    private final ConnectionLimits<String> limits = new ConnectionLimits<>(4, 2);

    @Test
    void admitsUpToThePerSourceCapThenEvictsTheOldestSilentOneFromThatSource() {
        assertThat(limits.admit("a1", "10.0.0.1").admitted()).isTrue();
        assertThat(limits.admit("a2", "10.0.0.1").admitted()).isTrue();
        assertThat(limits.admit("b1", "10.0.0.2").admitted()).isTrue();

        ConnectionLimits.Admission<String> third = limits.admit("a3", "10.0.0.1");

        assertThat(third.admitted()).isTrue();
        assertThat(third.evicted()).contains("a1");
        assertThat(limits.fromSource("10.0.0.1")).isEqualTo(2);
        assertThat(limits.total()).isEqualTo(3);
        assertThat(limits.started("a1")).as("an evicted connection must be dropped").isFalse();
    }

    @Test
    void refusesOverThePerSourceCapWhenEveryConnectionFromThereHasSpoken() {
        limits.admit("a1", "10.0.0.1");
        limits.admit("a2", "10.0.0.1");
        assertThat(limits.started("a1")).isTrue();
        assertThat(limits.started("a2")).isTrue();
        limits.admit("b1", "10.0.0.2");

        ConnectionLimits.Admission<String> refused = limits.admit("a3", "10.0.0.1");

        assertThat(refused.admitted()).isFalse();
        assertThat(refused.evicted()).isEmpty();
        assertThat(refused.refusal()).contains("too many connections from 10.0.0.1");
        assertThat(limits.fromSource("10.0.0.1")).isEqualTo(2);
        // another source still gets in
        assertThat(limits.admit("b2", "10.0.0.2").admitted()).isTrue();
    }

    @Test
    void atTheTotalCapEvictsTheOldestSilentConnectionFromAnySource() {
        limits.admit("a1", "10.0.0.1");
        limits.started("a1");
        limits.admit("b1", "10.0.0.2");
        limits.admit("c1", "10.0.0.3");
        limits.admit("d1", "10.0.0.4");

        ConnectionLimits.Admission<String> next = limits.admit("e1", "10.0.0.5");

        assertThat(next.admitted()).isTrue();
        assertThat(next.evicted()).as("a1 has spoken: the oldest silent one goes").contains("b1");
        assertThat(limits.total()).isEqualTo(4);
        assertThat(limits.fromSource("10.0.0.2")).isZero();
    }

    @Test
    void refusesAtTheTotalCapWhenEveryConnectionHasSpoken() {
        for (int i = 0; i < 4; i++) {
            limits.admit("c" + i, "10.0.0." + i);
            limits.started("c" + i);
        }

        ConnectionLimits.Admission<String> refused = limits.admit("late", "10.0.0.9");

        assertThat(refused.admitted()).isFalse();
        assertThat(refused.refusal()).contains("too many connections (at most 4)");
        limits.release("c0");
        assertThat(limits.admit("late", "10.0.0.9").admitted()).isTrue();
    }

    @Test
    void aFloodOfSilentSocketsNeverKeepsOutAClientThatSpeaks() {
        ConnectionLimits<Integer> big = new ConnectionLimits<>(1000, 200);
        for (int i = 0; i < 3000; i++) {
            String source = "127.0.0." + (1 + i % 20);
            ConnectionLimits.Admission<Integer> a = big.admit(i, source);
            assertThat(a.admitted()).isTrue();
            a.evicted().ifPresent(big::release);
        }
        assertThat(big.total()).isEqualTo(1000);
        assertThat(big.pending()).isEqualTo(1000);

        ConnectionLimits.Admission<Integer> real = big.admit(-1, "127.0.0.1");

        assertThat(real.admitted()).isTrue();
        assertThat(big.started(-1)).isTrue();
        assertThat(big.total()).isEqualTo(1000);
    }

    @Test
    void releaseIsIdempotentAndCountsDropToZero() {
        limits.admit("a1", "10.0.0.1");
        limits.release("a1");
        limits.release("a1");
        limits.release("never-admitted");
        assertThat(limits.total()).isZero();
        assertThat(limits.pending()).isZero();
        assertThat(limits.fromSource("10.0.0.1")).isZero();
    }

    @Test
    void capsMustBePositive() {
        assertThatThrownBy(() -> new ConnectionLimits<String>(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnectionLimits<String>(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
