package dev.pgfly.testkit.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HostChaosRunTest {

    @Test
    void aFullDiskHealsOnlyWithAWriteBegunAfterTheFillerWasRemovedAndAcknowledged() {
        long freed = 10_000;
        List<Op> before = List.of(Op.transfer(0, 9_000, 10_500, Op.Outcome.OK), Op.append(1, 9_500, 11_000, Op.Outcome.OK, 7, List.of(1)));
        assertThat(HostChaosRun.writeAcknowledgedSince(before, freed))
                .as("writes invoked before the filler's removal, acknowledged after it: not yet").isFalse();

        List<Op> refused = List.of(Op.transfer(0, 10_100, 10_200, Op.Outcome.FAILED), Op.append(1, 10_100, 10_300, Op.Outcome.UNKNOWN, 8, List.of(1)),
                Op.balanceRead(2, 10_100, 10_200, Op.Outcome.OK, 100), Op.listRead(3, 10_100, 10_200, Op.Outcome.OK, java.util.Map.of()));
        assertThat(HostChaosRun.writeAcknowledgedSince(refused, freed))
                .as("refused or unknown writes and reads: not yet").isFalse();

        assertThat(HostChaosRun.writeAcknowledgedSince(List.of(Op.append(1, 10_000, 10_400, Op.Outcome.OK, 9, List.of(2))), freed)).isTrue();
        assertThat(HostChaosRun.writeAcknowledgedSince(List.of(Op.transfer(1, 12_000, 12_100, Op.Outcome.OK)), freed)).isTrue();
    }
}
