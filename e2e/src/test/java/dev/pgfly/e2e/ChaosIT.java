package dev.pgfly.e2e;

import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.chaos.ChaosRun;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A short, fixed-seed fault campaign (the long one is bench/chaos): synchronous replication, bank and
 * list-append clients; seed 182 draws ZooKeeper down for 6.5 s (longer than every session: a new
 * election), the primary's agent frozen past its session, the primary partitioned from everything,
 * the primary's agent and PostgreSQL killed, and ZooKeeper down for 1.5 s (shorter than the sessions,
 * longer than nothing: the primary fences itself and carries on). Nothing acknowledged may be lost,
 * no anomaly in the history, never two writable members, full recovery and identical data at the end.
 */
class ChaosIT {

    @Test
    void aShortSeededCampaignKeepsEveryPromise() throws Exception {
        ChaosRun.Summary s;
        try (Pgfly pgfly = new Pgfly()) {
            s = ChaosRun.run(pgfly, new ChaosRun.Options(182, 5, true, 1, 2), System.out);
            assertThat(pgfly.processes()).isNotEmpty();
        }
        assertThat(s.report().lostAppends()).as("acknowledged appends lost").isZero();
        assertThat(s.report().clean(false)).as(s.report().summary() + " " + s.report().examples()).isTrue();
        assertThat(s.splitBrains()).as("moments with two writable members").isEmpty();
        assertThat(s.healed()).as("one primary, every other member streaming, after the final heal").isTrue();
        assertThat(s.identicalData()).as("identical data on every member").isTrue();
        assertThat(s.operations()).isGreaterThan(100);
    }
}
