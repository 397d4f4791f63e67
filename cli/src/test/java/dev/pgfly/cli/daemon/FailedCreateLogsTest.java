package dev.pgfly.cli.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FailedCreateLogsTest {

    @Test
    void keepsEveryLogAndNothingElse(@TempDir Path tmp) throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("clusters/c/logs"));
        Files.writeString(logs.resolve("m1-agent.log"), "agent out");
        Files.writeString(logs.resolve("proxy.log"), "proxy out");
        Path m1 = Files.createDirectories(tmp.resolve("clusters/c/members/m1"));
        Files.writeString(m1.resolve("postgres.log"), "FATAL: could not bind");
        Files.writeString(m1.resolve("postgres.log.1"), "older");
        Files.writeString(m1.resolve("agent.log"), "agent");
        Files.createDirectories(m1.resolve("data"));
        Files.writeString(m1.resolve("data/PG_VERSION"), "15");
        Map<String, Path> members = new LinkedHashMap<>();
        members.put("m1", m1);
        members.put("m2", tmp.resolve("clusters/c/members/m2")); // never created: passed over

        Path into = tmp.resolve("failed-creates/c");
        Files.createDirectories(into);
        Files.writeString(into.resolve("stale.log"), "from an older failed create");

        assertThat(FailedCreateLogs.keep(logs, members, into)).isEqualTo(5);
        assertThat(into.resolve("m1/postgres.log")).hasContent("FATAL: could not bind");
        assertThat(into.resolve("m1/postgres.log.1")).exists();
        assertThat(into.resolve("m1/agent.log")).exists();
        assertThat(into.resolve("proxy.log")).exists();
        assertThat(into.resolve("m1-agent.log")).exists();
        assertThat(into.resolve("m1/data")).doesNotExist();
        assertThat(into.resolve("m2")).doesNotExist();
        assertThat(into.resolve("stale.log")).as("an older copy is replaced").doesNotExist();
    }
}
