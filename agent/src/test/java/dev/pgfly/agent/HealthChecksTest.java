package dev.pgfly.agent;

import dev.pgfly.postgres.PgStats;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HealthChecksTest {
    private static final long GIB = 1L << 30;
    private static final HealthChecks.Role LEADER = new HealthChecks.Role(true, 3, null, null);
    private static final HealthChecks.Role FOLLOWER = new HealthChecks.Role(false, 3, "m1", "127.0.0.1");

    private static PgStats primary(int connections, int max) {
        return new PgStats(true, null, false, 2, 1000, false, null, 0, max, connections, List.of(), List.of(),
                List.of(new PgStats.ReplicaLag("m2", "streaming", "async", 0, 0)));
    }

    private static PgStats replica(boolean streaming, String sender, double lagSeconds) {
        return new PgStats(true, null, true, 2, 1000, streaming, sender, lagSeconds, 100, 1, List.of(), List.of(),
                List.of());
    }

    private static HostStats host(long diskFree, long memAvailable, double load) {
        return new HostStats(diskFree, 100 * GIB, memAvailable, 16 * GIB, load, 4);
    }

    @Test
    void pgIsCriticalWhenDownOrNotAnswering() {
        assertThat(HealthChecks.pg(false, PgStats.down("x")).verdict()).isEqualTo(CheckStatus.CRITICAL);
        Check silent = HealthChecks.pg(true, PgStats.down("connection refused"));
        assertThat(silent.verdict()).isEqualTo(CheckStatus.CRITICAL);
        assertThat(silent.output()).contains("connection refused");
    }

    @Test
    void pgWarnsWhileWalArchivingFails() {
        PgStats ok = primary(1, 100);
        PgStats failing = new PgStats(true, null, false, 2, 1000, false, null, 0, 100, 1, List.of(), List.of(),
                List.of(), "000000020000000000000007 at 2026-01-01 00:00:00+00 (3 failures in all)");
        assertThat(HealthChecks.pg(true, ok).verdict()).isEqualTo(CheckStatus.PASSING);
        Check check = HealthChecks.pg(true, failing);
        assertThat(check.verdict()).isEqualTo(CheckStatus.WARNING);
        assertThat(check.output()).contains("WAL archiving fails").contains("000000020000000000000007");
    }

    @Test
    void pgWarnsFromNinetyPercentOfConnections() {
        assertThat(HealthChecks.pg(true, primary(89, 100)).verdict()).isEqualTo(CheckStatus.PASSING);
        assertThat(HealthChecks.pg(true, primary(90, 100)).verdict()).isEqualTo(CheckStatus.WARNING);
        assertThat(HealthChecks.pg(true, primary(3, 100)).output()).contains("3 of 100 connections");
    }

    @Test
    void primaryMustHoldTheLeadership() {
        Check ok = HealthChecks.role(primary(1, 100), LEADER);
        assertThat(ok.verdict()).isEqualTo(CheckStatus.PASSING);
        assertThat(ok.output()).contains("primary of term 3").contains("1 replica(s) streaming");
        assertThat(HealthChecks.role(primary(1, 100), FOLLOWER).verdict()).isEqualTo(CheckStatus.CRITICAL);
        assertThat(HealthChecks.role(replica(false, null, 0), LEADER).verdict()).isEqualTo(CheckStatus.WARNING);
    }

    @Test
    void replicaMustStreamFromTheCurrentLeader() {
        assertThat(HealthChecks.role(replica(true, "127.0.0.1", 0), FOLLOWER).verdict()).isEqualTo(CheckStatus.PASSING);
        assertThat(HealthChecks.role(replica(false, null, 0), FOLLOWER).verdict()).isEqualTo(CheckStatus.CRITICAL);
        Check elsewhere = HealthChecks.role(replica(true, "127.0.0.9", 0), FOLLOWER);
        assertThat(elsewhere.verdict()).isEqualTo(CheckStatus.CRITICAL);
        assertThat(elsewhere.output()).contains("127.0.0.9").contains("m1");
        assertThat(HealthChecks.role(replica(true, "127.0.0.1", 0), new HealthChecks.Role(false, 3, null, null))
                .verdict()).isEqualTo(CheckStatus.CRITICAL);
        // leader's address unknown (store unreachable): streaming is all that can be checked
        assertThat(HealthChecks.role(replica(true, "127.0.0.1", 0), new HealthChecks.Role(false, 3, "m1", null))
                .verdict()).isEqualTo(CheckStatus.PASSING);
    }

    @Test
    void replicaFarBehindIsAWarning() {
        assertThat(HealthChecks.role(replica(true, "127.0.0.1", 30), FOLLOWER).verdict()).isEqualTo(CheckStatus.PASSING);
        assertThat(HealthChecks.role(replica(true, "127.0.0.1", 31), FOLLOWER).verdict()).isEqualTo(CheckStatus.WARNING);
        assertThat(HealthChecks.role(PgStats.down("x"), FOLLOWER).verdict()).isEqualTo(CheckStatus.CRITICAL);
    }

    @Test
    void vmThresholdsForDisk() {
        assertThat(HealthChecks.vm(host(50 * GIB, 8 * GIB, 1)).verdict()).isEqualTo(CheckStatus.PASSING);
        assertThat(HealthChecks.vm(host(10 * GIB, 8 * GIB, 1)).verdict()).isEqualTo(CheckStatus.PASSING);
        assertThat(HealthChecks.vm(host(9 * GIB, 8 * GIB, 1)).verdict()).isEqualTo(CheckStatus.WARNING);
        assertThat(HealthChecks.vm(host(4 * GIB, 8 * GIB, 1)).verdict()).isEqualTo(CheckStatus.CRITICAL);
        // a small volume: 20% free but under 256 MiB is critical
        assertThat(HealthChecks.vm(new HostStats(200L << 20, 1000L << 20, 8 * GIB, 16 * GIB, 1, 4)).verdict())
                .isEqualTo(CheckStatus.CRITICAL);
        assertThat(HealthChecks.vm(new HostStats(0, 0, 8 * GIB, 16 * GIB, 1, 4)).verdict()).isEqualTo(CheckStatus.WARNING);
    }

    @Test
    void vmThresholdsForMemoryAndLoad() {
        assertThat(HealthChecks.vm(host(50 * GIB, GIB, 1)).verdict()).isEqualTo(CheckStatus.WARNING);
        assertThat(HealthChecks.vm(host(50 * GIB, GIB / 4, 1)).verdict()).isEqualTo(CheckStatus.CRITICAL);
        assertThat(HealthChecks.vm(host(50 * GIB, 8 * GIB, 8)).verdict()).isEqualTo(CheckStatus.PASSING);
        Check busy = HealthChecks.vm(host(50 * GIB, 8 * GIB, 8.1));
        assertThat(busy.verdict()).isEqualTo(CheckStatus.WARNING);
        assertThat(HealthChecks.vm(host(50 * GIB, 8 * GIB, 1000)).verdict()).as("load is never critical")
                .isEqualTo(CheckStatus.WARNING);
        assertThat(busy.output()).contains("disk 50.0 GiB free of 100.0 GiB (50%)").contains("load 8.10 on 4 CPU(s)");
    }

    @Test
    void worstOfAll() {
        assertThat(HealthChecks.worst(List.of())).isEqualTo(CheckStatus.PASSING);
        assertThat(HealthChecks.worst(List.of(Check.of("a", CheckStatus.WARNING, ""), Check.of("b", CheckStatus.PASSING, ""))))
                .isEqualTo(CheckStatus.WARNING);
        assertThat(HealthChecks.worst(HealthChecks.all(false, PgStats.down("x"), FOLLOWER, host(50 * GIB, 8 * GIB, 1))))
                .isEqualTo(CheckStatus.CRITICAL);
        assertThat(CheckStatus.of("bogus")).isEqualTo(CheckStatus.CRITICAL);
    }

    @Test
    void vmIsCriticalWhileTheDiskGuardRefusesWrites() {
        var refusing = new dev.pgfly.agent.disk.DiskGuard.Verdict(dev.pgfly.agent.disk.DiskGuard.State.REFUSING_WRITES,
                false, "data volume 91% full (91 MiB of 100 MiB): user writes refused until it is below 85%; cause: x");
        Check vm = HealthChecks.vm(host(50 * GIB, 8 * GIB, 1), refusing);
        assertThat(vm.verdict()).isEqualTo(CheckStatus.CRITICAL);
        assertThat(vm.output()).startsWith("data volume 91% full").contains("user writes refused");
        var open = new dev.pgfly.agent.disk.DiskGuard.Verdict(dev.pgfly.agent.disk.DiskGuard.State.OPEN, true, "ok");
        assertThat(HealthChecks.vm(host(50 * GIB, 8 * GIB, 1), open).verdict()).isEqualTo(CheckStatus.PASSING);
    }

    @Test
    void aPausedClusterWarnsInTheRoleCheckAndSaysUntilWhen() {
        Check role = HealthChecks.role(primary(1, 100), LEADER);
        Check paused = HealthChecks.paused(role, new dev.pgfly.core.model.PauseState(1000, 0));
        assertThat(paused.verdict()).isEqualTo(CheckStatus.WARNING);
        assertThat(paused.output()).startsWith("cluster paused until resumed (no failover); primary of term 3");
        Check critical = Check.of("role", CheckStatus.CRITICAL, "replica without a leader to follow");
        assertThat(HealthChecks.paused(critical, new dev.pgfly.core.model.PauseState(1000, 0)).verdict())
                .isEqualTo(CheckStatus.CRITICAL);
    }
}
