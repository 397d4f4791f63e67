package dev.pgfly.testkit.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedPrefixesTest {
    private final SharedPrefixes prefixes = new SharedPrefixes();

    @Test
    void everyReadComesBackEqualToWhatWasRead() {
        List<Long> first = prefixes.share(1, new ArrayList<>(List.of(1L, 2L)));
        List<Long> longer = prefixes.share(1, new ArrayList<>(List.of(1L, 2L, 3L)));
        List<Long> shorter = prefixes.share(1, new ArrayList<>(List.of(1L)));
        List<Long> empty = prefixes.share(1, new ArrayList<>());

        assertThat(first).containsExactly(1L, 2L);
        assertThat(longer).containsExactly(1L, 2L, 3L);
        assertThat(shorter).containsExactly(1L);
        assertThat(empty).isEmpty();
    }

    @Test
    void aDivergentReadKeepsItsOwnValuesAndDoesNotDisturbEarlierOnes() {
        List<Long> a = prefixes.share(7, new ArrayList<>(List.of(1L, 2L, 3L)));
        List<Long> divergent = prefixes.share(7, new ArrayList<>(List.of(1L, 9L)));
        List<Long> prefixOfFirst = prefixes.share(7, new ArrayList<>(List.of(1L, 2L)));

        assertThat(a).containsExactly(1L, 2L, 3L);
        assertThat(divergent).containsExactly(1L, 9L);
        assertThat(prefixOfFirst).containsExactly(1L, 2L);
    }

    @Test
    void laterReadsDoNotChangeWhatAnEarlierReadHolds() {
        List<Long> source = new ArrayList<>(List.of(5L));
        List<Long> kept = prefixes.share(2, source);
        source.add(6L);
        prefixes.share(2, List.of(5L, 6L, 7L));

        assertThat(kept).containsExactly(5L);
    }

    @Test
    void keysAreKeptApart() {
        prefixes.share(1, List.of(1L, 2L));
        assertThat(prefixes.share(2, List.of(1L))).containsExactly(1L);
        assertThat(prefixes.share(2, List.of(3L))).containsExactly(3L);
    }
}
