package dev.pgfly.backup;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Recovery targets, schedules, durations and manifests: the pure parts users type or read. */
class ParsingTest {

    @Test
    void targetTimesNeedAZone() {
        assertThat(RecoveryTarget.parse("2025-01-02T03:04:05Z", null))
                .isEqualTo(new RecoveryTarget.AtTime(Instant.parse("2025-01-02T03:04:05Z")));
        assertThat(RecoveryTarget.parse("2025-01-02 04:04:05.5+01:00", null))
                .isEqualTo(new RecoveryTarget.AtTime(Instant.parse("2025-01-02T03:04:05.5Z")));
        assertThat(RecoveryTarget.parse("2025-01-02 03:04:05+00", null))
                .isEqualTo(new RecoveryTarget.AtTime(Instant.parse("2025-01-02T03:04:05Z")));
        assertThatThrownBy(() -> RecoveryTarget.parse("2025-01-02 03:04:05", null)).hasMessageContaining("no time zone");
        assertThatThrownBy(() -> RecoveryTarget.parse("yesterday", null)).hasMessageContaining("bad time");
        assertThatThrownBy(() -> RecoveryTarget.parse("2025-13-02T03:04:05Z", null)).hasMessageContaining("bad time");
    }

    @Test
    void targetLsnAndExclusiveOptions() {
        assertThat(RecoveryTarget.parse(null, "16/B374D848")).isEqualTo(new RecoveryTarget.AtLsn(0x16B374D848L));
        assertThatThrownBy(() -> RecoveryTarget.parse(null, "16-B3")).hasMessageContaining("bad LSN");
        assertThatThrownBy(() -> RecoveryTarget.parse("2025-01-02T03:04:05Z", "0/1")).hasMessageContaining("not both");
        assertThat(RecoveryTarget.parse(null, null)).isInstanceOf(RecoveryTarget.Latest.class);
    }

    @Test
    void targetSettingsPromoteAtTheTarget() {
        assertThat(RecoveryTarget.parse("2025-01-02T03:04:05.25Z", null).settings())
                .containsEntry("recovery_target_time", "2025-01-02 03:04:05.250000+00")
                .containsEntry("recovery_target_action", "promote");
        assertThat(new RecoveryTarget.AtLsn(0x100000028L).settings()).containsEntry("recovery_target_lsn", "1/28");
        assertThat(new RecoveryTarget.Latest().settings()).isEmpty();
        // the snapshot's own WAL, to its end: no target (see SnapshotEnd), no archive
        assertThat(new RecoveryTarget.SnapshotEnd().settings()).isEmpty();
        assertThat(new RecoveryTarget.SnapshotEnd().readsArchive()).isFalse();
        assertThat(new RecoveryTarget.Latest().readsArchive()).isTrue();
    }

    @Test
    void aSnapshotRestoredOnItsOwnReadsNoArchive() {
        String fetch = "/archive/pgfly-wal fetch \"%f\" \"%p\"";
        Map<String, String> alone = Restorer.recoverySettings(new Restorer.Options("127.0.0.1", 5432,
                new RecoveryTarget.SnapshotEnd(), fetch, null, Duration.ofMinutes(1)), Path.of("/tmp"));
        assertThat(alone).containsEntry("restore_command", "exit 1").doesNotContainKey("recovery_target");
        Map<String, String> pitr = Restorer.recoverySettings(new Restorer.Options("127.0.0.1", 5432,
                new RecoveryTarget.AtLsn(0x100000028L), fetch, null, Duration.ofMinutes(1)), Path.of("/tmp"));
        assertThat(pitr).containsEntry("restore_command", fetch).containsEntry("recovery_target_lsn", "1/28");
    }

    @Test
    void theSnapshotChosenIsTheNewestThatEndsBeforeTheTarget() {
        Instant t0 = Instant.parse("2025-03-01T03:00:00Z");
        SnapshotManifest a = RetentionTest.snapshot("20250301T030000Z", t0, "0/3000000");
        SnapshotManifest b = RetentionTest.snapshot("20250302T030000Z", t0.plus(Duration.ofDays(1)), "0/9000000");
        List<SnapshotManifest> both = List.of(a, b);
        RecoveryTarget between = new RecoveryTarget.AtTime(t0.plus(Duration.ofHours(5)));
        assertThat(between.chooseSnapshot(both, Optional.empty())).isEqualTo(a);
        assertThat(new RecoveryTarget.Latest().chooseSnapshot(both, Optional.empty())).isEqualTo(b);
        assertThat(new RecoveryTarget.AtLsn(0x9000000L).chooseSnapshot(both, Optional.empty())).isEqualTo(b);
        assertThatThrownBy(() -> new RecoveryTarget.AtTime(t0.minusSeconds(1)).chooseSnapshot(both, Optional.empty()))
                .hasMessageContaining("no snapshot ends before");
        assertThatThrownBy(() -> between.chooseSnapshot(both, Optional.of(b.id()))).hasMessageContaining("ends after the target");
        assertThatThrownBy(() -> between.chooseSnapshot(both, Optional.of("20990101T000000Z"))).hasMessageContaining("no snapshot");
        assertThatThrownBy(() -> between.chooseSnapshot(List.of(), Optional.empty())).hasMessageContaining("no snapshot to restore");
    }

    @Test
    void schedules() {
        Schedule daily = Schedule.parse("daily 03:00");
        assertThat(daily).isEqualTo(new Schedule(Schedule.Kind.DAILY, LocalTime.of(3, 0)));
        Instant now = Instant.parse("2025-03-10T02:00:00Z");
        assertThat(daily.latestSlot(now, ZoneOffset.UTC)).contains(Instant.parse("2025-03-09T03:00:00Z"));
        assertThat(daily.isDue(Optional.of(Instant.parse("2025-03-09T03:00:10Z")), now, ZoneOffset.UTC)).isFalse();
        assertThat(daily.isDue(Optional.of(Instant.parse("2025-03-09T02:59:00Z")), now, ZoneOffset.UTC)).isTrue();
        assertThat(daily.isDue(Optional.empty(), now, ZoneOffset.UTC)).isTrue();
        assertThat(Schedule.parse("off").isDue(Optional.empty(), now, ZoneOffset.UTC)).isFalse();
        assertThat(Schedule.parse("hourly").latestSlot(now.plusSeconds(100), ZoneOffset.UTC)).contains(now);
        assertThatThrownBy(() -> Schedule.parse("daily 25:00")).hasMessageContaining("bad schedule");
        assertThatThrownBy(() -> Schedule.parse("weekly")).hasMessageContaining("bad schedule");
    }

    @Test
    void durations() {
        assertThat(DurationText.parse("5d")).isEqualTo(Duration.ofDays(5));
        assertThat(DurationText.parse("36h")).isEqualTo(Duration.ofHours(36));
        assertThat(DurationText.parse("2w")).isEqualTo(Duration.ofDays(14));
        assertThatThrownBy(() -> DurationText.parse("0d")).hasMessageContaining("more than zero");
        assertThatThrownBy(() -> DurationText.parse("five days")).hasMessageContaining("bad duration");
    }

    @Test
    void manifestsRoundTripThroughJson() {
        SnapshotManifest m = new SnapshotManifest("20250301T030000Z", "demo", "m2", Instant.parse("2025-03-01T03:00:00Z"),
                Instant.parse("2025-03-01T03:00:09.5Z"), "0/3000028", "0/3000100", 2, 15, 4321,
                List.of(new SnapshotManifest.File("base.tar.gz", "snapshots/20250301T030000Z/base.tar.gz", 4000, "ab".repeat(32))));
        SnapshotManifest back = SnapshotManifest.fromJson(m.toJson());
        assertThat(back).isEqualTo(m);
        assertThat(new String(m.toJson())).contains("\"start_lsn\"").contains("\"2025-03-01T03:00:09.500Z\"");
        assertThat(back.startLsnValue()).isEqualTo(0x3000028L);
        assertThatThrownBy(() -> SnapshotManifest.fromJson("{\"id\":\"x\"}".getBytes())).hasMessageContaining("incomplete");
        assertThat(SnapshotManifest.isValidId("20250301T030000Z")).isTrue();
        assertThat(SnapshotManifest.isValidId("../x")).isFalse();
    }
}
