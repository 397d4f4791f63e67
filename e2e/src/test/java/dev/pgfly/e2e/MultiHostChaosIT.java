package dev.pgfly.e2e;

import dev.pgfly.testkit.chaos.ChaosRun;
import dev.pgfly.testkit.chaos.HostChaosRun;
import dev.pgfly.testkit.chaos.HostFaultSchedule;
import dev.pgfly.testkit.chaos.HostFaultSchedule.Fault;
import dev.pgfly.testkit.chaos.HostFaultSchedule.Kind;
import dev.pgfly.testkit.chaos.HostInstall;
import dev.pgfly.testkit.chaos.RoundStats;
import dev.pgfly.testkit.hosts.Hosts;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A short fault campaign over three namespace hosts (the long one is {@code bench/chaos --hosts 3}): a
 * {@code --config ha --sync} cluster with a member on each host, bank and list-append clients through the
 * multi-host URL, a probe asking every member directly whether it accepts writes. Three rounds, one fault
 * each: the primary's host is cut off for 10 s, the primary's host stops hearing the other hosts for 10 s
 * (one-way, inbound), and the primary's data volume (a 256 MB tmpfs of its own, mounted before the cluster
 * is created) is filled to the last byte for 4 s. Nothing acknowledged may be lost, no anomaly in the
 * history, never two writable members, every fault healed (after the full disk: healthy and a write begun
 * after the filler's removal acknowledged), identical data at the end.
 *
 * <p>Host crashes (the primary's, and a replica's with its ZooKeeper voter) are {@code MultiHostIT}'s in the
 * suite, with its writer and probe; each took a third of a minute to heal here (the crashed host's node
 * restarted and its member caught up), so the campaign's copies of them run in {@code bench/chaos --hosts 3}.
 */
class MultiHostChaosIT {

    @Test
    void hostFaultsKeepEveryPromise() throws Exception {
        Assumptions.assumeTrue(Hosts.unavailableReason().isEmpty(), () -> "no namespace hosts: " + Hosts.unavailableReason().orElse(""));
        List<List<Fault>> schedule = List.of(
                List.of(new Fault(Kind.HOST_CUT, -1, 10_000)),
                List.of(new Fault(Kind.LOSS_INBOUND, -1, 10_000)),
                List.of(new Fault(Kind.DISK_FULL, -1, 4_000)));
        HostChaosRun.Summary s;
        try (HostInstall install = HostInstall.start(3, System.out)) {
            s = HostChaosRun.run(install, new ChaosRun.Options(21, schedule.size(), true, 1, 2), schedule, System.out);
        }
        assertThat(s.rounds()).as("rounds run").hasSize(3);
        assertThat(s.rounds()).as("every fault healed").allMatch(r -> r.healMillis() >= 0);
        assertThat(s.rounds()).as("no round lost ZooKeeper's majority").noneMatch(RoundStats.Round::byDesign);
        assertThat(s.report().lostAppends()).as("acknowledged appends lost").isZero();
        assertThat(s.report().clean(false)).as(s.report().summary() + " " + s.report().examples()).isTrue();
        assertThat(s.splitBrains()).as("moments with two writable members").isEmpty();
        assertThat(s.healed()).as("one primary, every other member streaming, after the final heal").isTrue();
        assertThat(s.identicalData()).as("identical data on every member").isTrue();
        assertThat(s.operations()).isGreaterThan(100);
        assertThat(s.kinds()).extracting(RoundStats.KindFigures::kind)
                .containsExactlyInAnyOrder(Kind.HOST_CUT, Kind.LOSS_INBOUND, Kind.DISK_FULL);
        RoundStats.KindFigures diskFull = s.kinds().stream().filter(k -> k.kind() == Kind.DISK_FULL).findFirst().orElseThrow();
        assertThat(diskFull.unhealed()).as("the full-disk round healed (a write acknowledged after the filler's removal)").isZero();
        assertThat(diskFull.lost()).as("acknowledged writes lost in the full-disk round").isZero();
        assertThat(HostFaultSchedule.quorumLostByDesign(schedule.getFirst(), 3)).isFalse();
    }
}
