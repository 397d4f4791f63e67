package dev.pgfly.e2e;

import dev.pgfly.core.util.FileTrees;
import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.Writer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pgfly upgrade} on a live two-member HA cluster under a writer: every member ends up running
 * PostgreSQL from the new directory (a copy of the installed binaries made of symlinks, the same
 * version), no acknowledged write is lost; another major version, a directory without PostgreSQL and
 * an unknown cluster are refused and change nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpgradeIT {
    private static final String CLUSTER = "upg";
    private static final Path INSTALLED = Path.of("/usr/lib/postgresql/15/bin");
    private static Pgfly pgfly;
    private static Path scratch;
    private static Path newBin;

    @BeforeAll
    static void setUp() throws Exception {
        // PostgreSQL's OS user must be able to reach the new binaries: under /tmp, 0755.
        scratch = Files.createTempDirectory(Path.of("/tmp"), "pgfly-upgrade-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        newBin = Files.createDirectory(scratch.resolve("pg15-rebuilt"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try (Stream<Path> programs = Files.list(INSTALLED)) {
            for (Path p : programs.toList()) {
                Files.createSymbolicLink(newBin.resolve(p.getFileName()), p);
            }
        }
        pgfly = new Pgfly();
        pgfly.ok("create", CLUSTER, "--config", "ha", "--members", "2", "--pg-bin", INSTALLED.toString());
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (pgfly != null) {
                pgfly.close();
                assertThat(pgfly.processes()).as("processes left behind").isEmpty();
            }
        } finally {
            FileTrees.delete(scratch);
        }
    }

    @Test
    @Order(1)
    void refusalsChangeNothing() throws Exception {
        Path major16 = Files.createDirectory(scratch.resolve("pg16"));
        script(major16.resolve("postgres"), "echo 'postgres (PostgreSQL) 16.4'");
        script(major16.resolve("initdb"), "exit 0");
        Path notPostgres = Files.createDirectory(scratch.resolve("empty"));
        String before = snapshot();

        assertOneLineFailure(pgfly.run("upgrade", CLUSTER, "--pg-bin", major16.toString()),
                major16 + " is PostgreSQL 16; the cluster runs 15: major upgrades need pg_upgrade, which pgfly does not do yet");
        assertOneLineFailure(pgfly.run("upgrade", CLUSTER, "--pg-bin", notPostgres.toString()),
                "no PostgreSQL server binaries (postgres, initdb) in " + notPostgres);
        assertOneLineFailure(pgfly.run("upgrade", "nope", "--pg-bin", newBin.toString()), "no cluster named 'nope'");
        Pgfly.Result missing = pgfly.run("upgrade", CLUSTER);
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("--pg-bin");

        assertThat(snapshot()).as("nothing changed").isEqualTo(before);
        assertThat(pgfly.ok("upgrade", "--help").out()).contains("--pg-bin").contains("pg_upgrade");
    }

    @Test
    @Order(2)
    void everyMemberRunsTheNewBinariesAndNoWriteIsLost() throws Exception {
        String url = pgfly.ok("url", CLUSTER).out().strip();
        String primaryBefore = pgfly.status(CLUSTER).get("leader").asString();
        Set<Long> acknowledged;
        long gap;
        long started = System.currentTimeMillis();
        JsonNode result;
        try (Writer writer = new Writer(url)) {
            assertThat(writer.awaitMoreAcks(20, 30_000)).isTrue();
            writer.resetGap();
            result = pgfly.ok("upgrade", CLUSTER, "--pg-bin", newBin.toString(), "--json").json();
            assertThat(writer.awaitMoreAcks(20, 30_000)).as("writes after the upgrade").isTrue();
            writer.close();
            acknowledged = writer.acknowledged();
            gap = writer.longestGapMillis();
        }
        System.out.printf("upgrade: %d ms in all, longest write pause %d ms, %d acknowledged writes; steps %s%n",
                System.currentTimeMillis() - started, gap, acknowledged.size(), result.get("steps"));

        List<String> actions = new ArrayList<>();
        result.get("steps").forEach(s -> actions.add(s.get("action").asString()));
        String replica = primaryBefore.equals("m1") ? "m2" : "m1";
        assertThat(actions).containsExactly("upgrade replica " + replica, "switch over from " + primaryBefore,
                "upgrade former primary " + primaryBefore);

        JsonNode status = pgfly.status(CLUSTER);
        assertThat(status.get("state").asString()).isEqualTo("running");
        assertThat(status.get("leader").asString()).as("switched over").isEqualTo(replica);
        int primaries = 0;
        for (JsonNode m : status.get("members")) {
            if (m.get("role").asString().equals("primary")) {
                primaries++;
            } else {
                assertThat(m.get("role").asString()).isEqualTo("replica");
                assertThat(m.get("streaming").asBoolean()).as(m.get("name").asString() + " streams").isTrue();
            }
            long pid = m.get("postgres_pid").asLong();
            assertThat(argv0(pid)).as("the postmaster of " + m.get("name").asString())
                    .isEqualTo(newBin.resolve("postgres").toString());
        }
        assertThat(primaries).isEqualTo(1);
        assertThat(Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/cluster.json")))
                .contains("\"" + newBin + "\"");

        Set<Long> present = Writer.stored(url);
        assertThat(present).as("every acknowledged write survived").containsAll(acknowledged);

        List<String> upgraded = new ArrayList<>();
        for (JsonNode e : pgfly.ok("events", CLUSTER, "--json", "--limit", "50").json()) {
            if (e.get("kind").asString().equals("upgrade") && e.hasNonNull("member")) {
                upgraded.add(e.get("member").asString());
            }
        }
        assertThat(upgraded).containsExactlyInAnyOrder("m1", "m2");
    }

    /** The program a process was started as: the first word of its command line. */
    private static String argv0(long pid) throws IOException {
        byte[] cmdline = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
        int end = 0;
        while (end < cmdline.length && cmdline[end] != 0) {
            end++;
        }
        return new String(cmdline, 0, end, StandardCharsets.UTF_8);
    }

    /** What a refusal must not change: leader, every member's PostgreSQL pid, and the recorded binaries. */
    private static String snapshot() throws IOException {
        JsonNode status = pgfly.status(CLUSTER);
        StringBuilder s = new StringBuilder(status.get("state").asString() + " " + status.get("leader").asString());
        for (JsonNode m : status.get("members")) {
            s.append(' ').append(m.get("name").asString()).append('=').append(m.get("postgres_pid").asLong());
        }
        return s + " " + Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/cluster.json"));
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void assertOneLineFailure(Pgfly.Result r, String expected) {
        assertThat(r.exit()).as(r.err()).isNotZero();
        assertThat(r.err().strip()).contains(expected);
        assertThat(r.err().strip().lines().count()).as("one line: " + r.err()).isEqualTo(1);
    }
}
