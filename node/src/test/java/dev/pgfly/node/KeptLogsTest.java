package dev.pgfly.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KeptLogsTest {

    @Test
    void aFailedCreateKeepsEveryLogAndNothingElse(@TempDir Path tmp) throws Exception {
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

        assertThat(KeptLogs.keepFailedCreate(logs, members, into)).isEqualTo(5);
        assertThat(into.resolve("m1/postgres.log")).hasContent("FATAL: could not bind");
        assertThat(into.resolve("m1/postgres.log.1")).exists();
        assertThat(into.resolve("m1/agent.log")).exists();
        assertThat(into.resolve("proxy.log")).exists();
        assertThat(into.resolve("m1-agent.log")).exists();
        assertThat(into.resolve("m1/data")).doesNotExist();
        assertThat(into.resolve("m2")).doesNotExist();
        assertThat(into.resolve("stale.log")).as("an older copy is replaced").doesNotExist();
    }

    @Test
    void aRemovedMemberKeepsItsLogsAndItsAgentsOutput(@TempDir Path tmp) throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("clusters/c/logs"));
        Files.writeString(logs.resolve("m2-agent.log"), "agent out");
        Files.writeString(logs.resolve("m1-agent.log"), "another member's");
        Path m2 = Files.createDirectories(tmp.resolve("clusters/c/members/m2"));
        Files.writeString(m2.resolve("postgres.log"), "LOG: shutting down");
        Files.writeString(m2.resolve("agent.log"), "event member-remove");
        Files.createDirectories(m2.resolve("data"));
        Files.writeString(m2.resolve("data/PG_VERSION"), "15");
        Path into = tmp.resolve("clusters/c/removed-members/m2");
        Files.createDirectories(into);
        Files.writeString(into.resolve("postgres.log.3"), "from an earlier m2");

        assertThat(KeptLogs.keepRemovedMember(m2, logs.resolve("m2-agent.log"), into)).isEqualTo(3);
        assertThat(into.resolve("postgres.log")).hasContent("LOG: shutting down");
        assertThat(into.resolve("agent.log")).hasContent("event member-remove");
        assertThat(into.resolve("m2-agent.log")).hasContent("agent out");
        assertThat(into.resolve("m1-agent.log")).doesNotExist();
        assertThat(into.resolve("data")).doesNotExist();
        assertThat(into.resolve("postgres.log.3")).as("an older copy is replaced").doesNotExist();
    }
}
