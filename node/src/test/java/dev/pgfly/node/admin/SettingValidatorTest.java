package dev.pgfly.node.admin;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against a model of PostgreSQL 15's pg_settings rows. */
class SettingValidatorTest {
    static final Map<String, SettingSpec> PG = Stream.of(
            row("shared_buffers", "integer", "8kB", "16", "1073741823", "postmaster", "16384"),
            row("max_connections", "integer", null, "1", "262143", "postmaster", "100"),
            row("work_mem", "integer", "kB", "64", "2147483647", "user", "4096"),
            row("effective_cache_size", "integer", "8kB", "1", "2147483647", "user", "524288"),
            row("log_min_duration_statement", "integer", "ms", "-1", "2147483647", "superuser", "-1"),
            row("checkpoint_timeout", "integer", "s", "30", "86400", "sighup", "300"),
            row("min_wal_size", "integer", "MB", "2", "2147483647", "sighup", "80"),
            row("vacuum_cost_delay", "real", "ms", "0", "100", "user", "0"),
            row("random_page_cost", "real", null, "0", "1.79769e+308", "user", "4"),
            row("jit", "bool", null, null, null, "user", "on"),
            new SettingSpec("wal_level", "enum", null, null, null, List.of("minimal", "replica", "logical"),
                    "postmaster", "replica", false),
            new SettingSpec("log_statement", "enum", null, null, null, List.of("none", "ddl", "mod", "all"),
                    "superuser", "none", false),
            row("shared_preload_libraries", "string", null, null, null, "postmaster", ""),
            row("application_name", "string", null, null, null, "user", ""),
            row("block_size", "integer", null, "8192", "8192", "internal", "8192"),
            row("max_wal_senders", "integer", null, "0", "262143", "postmaster", "16"),
            row("temp_buffers", "integer", "8kB", "100", "1073741823", "user", "1024"),
            row("wal_buffers", "integer", "8kB", "-1", "262143", "postmaster", "-1"),
            row("port", "integer", null, "1", "65535", "postmaster", "5432"))
            .collect(Collectors.toMap(SettingSpec::name, Function.identity()));

    static SettingSpec row(String name, String type, String unit, String min, String max, String context, String setting) {
        return new SettingSpec(name, type, unit, min, max, List.of(), context, setting, false);
    }

    static SettingValidator.Validated ok(String name, String value) {
        return SettingValidator.validate(PG, name, value);
    }

    @Test
    void memoryIsCanonicalInTheLargestExactUnit() {
        assertThat(ok("shared_buffers", "256MB").value()).isEqualTo("256MB");
        assertThat(ok("shared_buffers", "1GB").value()).isEqualTo("1GB");
        assertThat(ok("shared_buffers", "32768").value()).as("bare numbers are 8kB pages").isEqualTo("256MB");
        assertThat(ok("shared_buffers", "1.5GB").value()).isEqualTo("1536MB");
        assertThat(ok("shared_buffers", "1001kB").value()).as("rounded to whole pages").isEqualTo("1000kB");
        assertThat(ok("work_mem", "64MB").value()).isEqualTo("64MB");
        assertThat(ok("work_mem", "1000").value()).isEqualTo("1000kB");
        assertThat(ok("min_wal_size", "1GB").value()).isEqualTo("1GB");
        assertThat(ok("wal_buffers", "-1").value()).isEqualTo("-1");
    }

    @Test
    void timeIsCanonicalInTheLargestExactUnit() {
        assertThat(ok("log_min_duration_statement", "250ms").value()).isEqualTo("250ms");
        assertThat(ok("log_min_duration_statement", "2s").value()).isEqualTo("2s");
        assertThat(ok("log_min_duration_statement", "1min").value()).isEqualTo("1min");
        assertThat(ok("log_min_duration_statement", "-1").value()).isEqualTo("-1");
        assertThat(ok("checkpoint_timeout", "15min").value()).isEqualTo("15min");
        assertThat(ok("checkpoint_timeout", "1h").value()).isEqualTo("1h");
    }

    @Test
    void unitsAreCheckedAgainstTheSetting() {
        assertThatThrownBy(() -> ok("shared_buffers", "256mb"))
                .hasMessage("invalid value '256mb' for setting 'shared_buffers': valid units for this setting are kB, MB, GB, TB");
        assertThatThrownBy(() -> ok("shared_buffers", "10s")).hasMessageContaining("valid units");
        assertThatThrownBy(() -> ok("max_connections", "100MB")).hasMessageContaining("takes no unit");
        assertThatThrownBy(() -> ok("max_connections", "lots")).hasMessageContaining("expected a number");
    }

    @Test
    void rangesAreCheckedInBaseUnitsAndShownReadably() {
        assertThatThrownBy(() -> ok("shared_buffers", "64kB"))
                .hasMessage("invalid value '64kB' for setting 'shared_buffers': must be between 128kB and 8589934584kB");
        assertThatThrownBy(() -> ok("max_connections", "0")).hasMessageContaining("must be between 1 and 262143");
        assertThatThrownBy(() -> ok("checkpoint_timeout", "10s")).hasMessageContaining("must be between 30s and 1d");
        assertThatThrownBy(() -> ok("max_connections", "99999999999")).hasMessageContaining("must be between");
        assertThatThrownBy(() -> ok("vacuum_cost_delay", "101")).hasMessageContaining("must be between 0 ms and 100 ms");
    }

    @Test
    void realsBoolsEnumsAndStrings() {
        assertThat(ok("random_page_cost", "1.10").value()).isEqualTo("1.1");
        assertThat(ok("vacuum_cost_delay", "2.5ms").value()).isEqualTo("2.5");
        assertThat(ok("vacuum_cost_delay", "0.002s").value()).isEqualTo("2");
        assertThat(ok("jit", "OFF").value()).isEqualTo("off");
        assertThat(ok("jit", "true").value()).isEqualTo("on");
        assertThatThrownBy(() -> ok("jit", "maybe")).hasMessageContaining("use on or off");
        assertThat(ok("log_statement", "DDL").value()).isEqualTo("ddl");
        assertThatThrownBy(() -> ok("log_statement", "some"))
                .hasMessageContaining("use one of none, ddl, mod, all");
        assertThat(ok("application_name", "it's fine").value()).isEqualTo("it's fine");
        assertThatThrownBy(() -> ok("application_name", "two\nlines")).hasMessageContaining("control characters");
    }

    @Test
    void contextDecidesBetweenReloadAndRestart() {
        assertThat(ok("work_mem", "8MB").needsRestart()).isFalse();
        assertThat(ok("log_min_duration_statement", "1s").needsRestart()).isFalse();
        assertThat(ok("max_connections", "200").needsRestart()).isTrue();
        assertThat(ok("shared_preload_libraries", "pg_stat_statements").needsRestart()).isTrue();
        assertThatThrownBy(() -> ok("block_size", "16384")).hasMessageContaining("cannot be changed");
    }

    @Test
    void namesAreCaseInsensitive() {
        assertThat(ok("Work_Mem", "8MB").name()).isEqualTo("work_mem");
    }

    @Test
    void unknownNamesGetTheClosestKnownOnes() {
        assertThatThrownBy(() -> ok("shared_bufers", "1GB"))
                .hasMessage("unknown setting 'shared_bufers': did you mean shared_buffers?");
        assertThatThrownBy(() -> ok("max_conections", "5")).hasMessageContaining("did you mean max_connections");
        assertThatThrownBy(() -> ok("buffers", "5"))
                .hasMessageContaining("did you mean wal_buffers, temp_buffers, shared_buffers?");
        assertThatThrownBy(() -> ok("zzzzzzzzzz", "5")).hasMessage("unknown setting 'zzzzzzzzzz'");
        assertThatThrownBy(() -> ok("a;b", "5")).hasMessage("invalid setting name 'a;b'");
    }

    @Test
    void settingsPgflyOwnsAreRefusedWithAReason() {
        assertThatThrownBy(() -> ok("port", "6543"))
                .hasMessageStartingWith("setting 'port' is managed by pgfly: pgfly assigns");
        for (String owned : List.of("listen_addresses", "primary_conninfo", "synchronous_standby_names",
                "hot_standby", "archive_command", "restore_command", "archive_cleanup_command", "data_directory",
                "hba_file", "include_dir", "fsync")) {
            assertThatThrownBy(() -> ok(owned, "x")).as(owned).hasMessageContaining("is managed by pgfly");
        }
        assertThatThrownBy(() -> ok("wal_level", "minimal")).hasMessageContaining("replication needs replica or logical");
        assertThat(ok("wal_level", "logical").value()).isEqualTo("logical");
        assertThatThrownBy(() -> ok("max_wal_senders", "4")).hasMessageContaining("at least 16");
    }

    @Test
    void theValueInForceIsComparedInBaseUnits() {
        SettingSpec sb = PG.get("shared_buffers");
        assertThat(SettingValidator.inForce(sb, "128MB")).isTrue();
        assertThat(SettingValidator.inForce(sb, "256MB")).isFalse();
        assertThat(SettingValidator.inForce(PG.get("jit"), "on")).isTrue();
        assertThat(SettingValidator.inForce(PG.get("wal_level"), "replica")).isTrue();
        assertThat(SettingValidator.inForce(PG.get("log_min_duration_statement"), "-1")).isTrue();
    }

    @Test
    void suggestionsUseEditDistance() {
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
        assertThat(Suggestions.distance("same", "same")).isZero();
        assertThat(Suggestions.closest("work_mam", List.of("work_mem", "maintenance_work_mem", "port"), 3))
                .containsExactly("work_mem");
    }
}
