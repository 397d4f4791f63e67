package dev.pgfly.testkit.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CheckerTest {
    private static final long TOTAL = 100;

    private static Op append(long v, Op.Outcome outcome, int... keys) {
        return Op.append(0, 0, 1, outcome, v, java.util.Arrays.stream(keys).boxed().toList());
    }

    private static Op read(Map<Integer, List<Long>> lists) {
        return Op.listRead(0, 0, 1, Op.Outcome.OK, lists);
    }

    @Test
    void aCleanHistoryIsClean() {
        List<Op> ops = List.of(append(1, Op.Outcome.OK, 1, 2), read(Map.of(1, List.of(1L), 2, List.of(1L))),
                append(2, Op.Outcome.UNKNOWN, 1, 2), append(3, Op.Outcome.FAILED, 1, 2),
                Op.balanceRead(0, 0, 1, Op.Outcome.OK, TOTAL));
        Checker.Report r = Checker.check(ops, Map.of(1, List.of(1L, 2L), 2, List.of(1L, 2L)), TOTAL, TOTAL);
        assertThat(r.clean(false)).as(r.summary()).isTrue();
    }

    @Test
    void anUnknownAppendMayBeAbsent() {
        List<Op> ops = List.of(append(1, Op.Outcome.UNKNOWN, 1, 2));
        assertThat(Checker.check(ops, Map.of(1, List.of(), 2, List.of()), TOTAL, TOTAL).clean(false)).isTrue();
    }

    @Test
    void findsALostAcknowledgedAppend() {
        Checker.Report r = Checker.check(List.of(append(7, Op.Outcome.OK, 1, 2)),
                Map.of(1, List.of(), 2, List.of()), TOTAL, TOTAL);
        assertThat(r.lostAppends()).isEqualTo(2);
        assertThat(r.clean(false)).isFalse();
        assertThat(r.clean(true)).as("async mode tolerates loss").isTrue();
        assertThat(r.examples()).anyMatch(e -> e.contains("acknowledged append 7"));
    }

    @Test
    void findsAFailedAppendThatHappenedAnyway() {
        Checker.Report r = Checker.check(List.of(append(7, Op.Outcome.FAILED, 1, 2)),
                Map.of(1, List.of(7L), 2, List.of(7L)), TOTAL, TOTAL);
        assertThat(r.phantomAppends()).isEqualTo(2);
    }

    @Test
    void findsDuplicatesAndTornTransactions() {
        List<Op> ops = List.of(append(1, Op.Outcome.OK, 1, 2), append(2, Op.Outcome.OK, 1, 2),
                read(Map.of(1, List.of(1L, 2L), 2, List.of(1L))));
        Checker.Report r = Checker.check(ops, Map.of(1, List.of(1L, 2L, 2L), 2, List.of(1L, 2L)), TOTAL, TOTAL);
        assertThat(r.duplicates()).as("2 twice at the end").isEqualTo(1);
        assertThat(r.tornAppends()).as("the read saw 2 in key 1 only").isEqualTo(1);
    }

    @Test
    void findsAReadThatHistoryUndid() {
        List<Op> ops = List.of(append(1, Op.Outcome.OK, 1, 2), read(Map.of(1, List.of(1L, 9L), 2, List.of(1L))));
        Checker.Report r = Checker.check(ops, Map.of(1, List.of(1L), 2, List.of(1L)), TOTAL, TOTAL);
        assertThat(r.contradictingReads()).isEqualTo(1);
    }

    @Test
    void findsAWrongBankTotal() {
        List<Op> ops = List.of(Op.balanceRead(0, 0, 1, Op.Outcome.OK, TOTAL - 5));
        Checker.Report r = Checker.check(ops, Map.of(), TOTAL + 1, TOTAL);
        assertThat(r.badBankReads()).isEqualTo(1);
        assertThat(r.finalBankTotalOk()).isFalse();
        assertThat(r.clean(true)).isFalse();
    }

    @Test
    void prefixes() {
        assertThat(Checker.isPrefix(List.of(), List.of(1L))).isTrue();
        assertThat(Checker.isPrefix(List.of(1L), List.of(1L, 2L))).isTrue();
        assertThat(Checker.isPrefix(List.of(2L), List.of(1L, 2L))).isFalse();
        assertThat(Checker.isPrefix(List.of(1L, 2L, 3L), List.of(1L, 2L))).isFalse();
    }

    @Test
    void longestWriteGapCountsAcknowledgedWritesOnly() {
        List<Op> ops = List.of(Op.transfer(0, 0, 100, Op.Outcome.OK), Op.transfer(0, 0, 5000, Op.Outcome.FAILED),
                append(1, Op.Outcome.OK, 1, 2), Op.transfer(0, 0, 1100, Op.Outcome.OK));
        // append's completedAt is 1
        assertThat(ChaosRun.longestWriteGap(ops)).isEqualTo(1000);
    }
}
