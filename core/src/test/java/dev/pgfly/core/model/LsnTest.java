package dev.pgfly.core.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LsnTest {
    @ParameterizedTest
    @ValueSource(strings = {"16/B374D848", "0/0", "0/1", "1/0", "0/3000060", "FFFFFFFF/FFFFFFFF", "7FFFFFFF/FFFFFFFF",
            "80000000/0", "A/B"})
    void formatInvertsParse(String text) {
        assertThat(Lsn.format(Lsn.parse(text))).isEqualTo(text);
    }

    @Test
    void parsesTheHighAndLowHalves() {
        assertThat(Lsn.parse("16/B374D848")).isEqualTo(0x16B374D848L);
        assertThat(Lsn.parse("0/0")).isZero();
        assertThat(Lsn.parse("1/0")).isEqualTo(1L << 32);
        assertThat(Lsn.parse("0/FFFFFFFF")).isEqualTo(0xFFFFFFFFL);
    }

    @Test
    void formatsInUpperCaseWithoutPadding() {
        assertThat(Lsn.format(0x16B374D848L)).isEqualTo("16/B374D848");
        assertThat(Lsn.format(0)).isEqualTo("0/0");
        assertThat(Lsn.format(0x3000060L)).isEqualTo("0/3000060");
        assertThat(Lsn.format((5L << 32) | 0xABL)).isEqualTo("5/AB");
    }

    @Test
    void lowerCaseInputIsAccepted() {
        assertThat(Lsn.parse("16/b374d848")).isEqualTo(Lsn.parse("16/B374D848"));
    }

    @Test
    void theTopHalfOfTheRangeIsUnsigned() {
        // PostgreSQL LSNs are unsigned 64-bit: the top one is all ones (-1 as a Java long)
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF")).isEqualTo(-1L);
        assertThat(Lsn.format(Long.MIN_VALUE)).isEqualTo("80000000/0");
        assertThat(Long.compareUnsigned(Lsn.parse("80000000/0"), Lsn.parse("7FFFFFFF/FFFFFFFF"))).isPositive();
    }

    @Test
    void nullAndBlankMeanZero() {
        assertThat(Lsn.parse(null)).isZero();
        assertThat(Lsn.parse("")).isZero();
        assertThat(Lsn.parse("   ")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"16B374D848", "x", "G/0", "0/G", "/1", "1/", "1/2/3", "0x1/0"})
    void garbageIsRejected(String text) {
        assertThatThrownBy(() -> Lsn.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomPositionsRoundTripAndKeepTheirOrder() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            long a = random.nextLong();
            long b = random.nextLong();
            assertThat(Lsn.parse(Lsn.format(a))).isEqualTo(a);
            String fa = Lsn.format(a);
            assertThat(fa).matches("[0-9A-F]{1,8}/[0-9A-F]{1,8}");
            int cmp = Long.compareUnsigned(a, b);
            assertThat(Integer.signum(Long.compareUnsigned(Lsn.parse(fa), Lsn.parse(Lsn.format(b))))).isEqualTo(Integer.signum(cmp));
        }
    }
}
