package dev.pgfly.testkit.chaos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ListAppendWorkloadTest {

    @Test
    void keysMoveOnToAFreshGenerationEverySixHundredValues() {
        assertThat(ListAppendWorkload.firstKey(1)).isEqualTo(1);
        assertThat(ListAppendWorkload.firstKey(599)).isEqualTo(1);
        assertThat(ListAppendWorkload.firstKey(600)).isEqualTo(1 + ListAppendWorkload.KEYS);
        assertThat(ListAppendWorkload.firstKey(1_250)).isEqualTo(1 + 2 * ListAppendWorkload.KEYS);
    }
}
