package dev.pgfly.e2e;

import dev.pgfly.testkit.Pgfly;
import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gets one clear line on stderr, a non-zero exit, and changes nothing. */
class BadInputIT {
    private static Pgfly pgfly;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        pgfly.ok("create", "one");
    }

    @AfterAll
    static void tearDown() throws Exception {
        pgfly.close();
        assertThat(pgfly.processes()).isEmpty();
    }

    private static void assertFails(Pgfly.Result r, String expected) {
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).contains(expected);
        assertThat(r.err().strip().lines().count()).as("one line: " + r.err()).isEqualTo(1);
    }

    /** A call that must fail with one line on stderr naming {@code expected}. */
    private record Refusal(String expected, List<String> args) {
        static Refusal of(String expected, String... args) {
            return new Refusal(expected, List.of(args));
        }
    }

    /** Runs the refusals two at a time ({@link Pgfly#runAll}): each changes nothing, so none waits for another. */
    private static void assertRefused(Pgfly on, Refusal... refusals) {
        List<Pgfly.Result> results = on.runAll(Arrays.stream(refusals).map(Refusal::args).toList());
        for (int i = 0; i < refusals.length; i++) {
            Pgfly.Result r = results.get(i);
            String call = String.join(" ", refusals[i].args());
            assertThat(r.exit()).as(call).isNotZero();
            assertThat(r.err().strip()).as(call).contains(refusals[i].expected());
            assertThat(r.err().strip().lines().count()).as(call + ": one line: " + r.err()).isEqualTo(1);
        }
    }

    private static void assertOnlyClusterOne() {
        var list = pgfly.ok("list", "--json").json();
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0).get("name").asString()).isEqualTo("one");
    }

    @Test
    void invalidNamesAreRefused() {
        assertRefused(pgfly, Stream.of("Bad", "1abc", "a_b", "a".repeat(64), "über", "a.b", "a/b")
                .map(name -> Refusal.of("invalid cluster name", "create", name)).toArray(Refusal[]::new));
        assertOnlyClusterOne();
    }

    @Test
    void existingNameIsRefused() {
        assertFails(pgfly.run("create", "one"), "cluster 'one' already exists");
        assertOnlyClusterOne();
        assertThat(pgfly.status("one").get("state").asString()).isEqualTo("running");
    }

    @Test
    void unknownClusterIsReported() {
        assertRefused(pgfly, Refusal.of("no cluster named 'nope'", "status", "nope"),
                Refusal.of("no cluster named 'nope'", "destroy", "nope", "--yes"),
                Refusal.of("no cluster named 'nope'", "stop", "nope"), Refusal.of("no cluster named 'nope'", "url", "nope"));
    }

    @Test
    void destroyWithoutYesChangesNothing() {
        assertFails(pgfly.run("destroy", "one"), "--yes");
        assertOnlyClusterOne();
        assertThat(pgfly.status("one").get("state").asString()).isEqualTo("running");
    }

    @Test
    void portInUseIsRefused() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("127.0.0.1", 0));
            assertFails(pgfly.run("create", "two", "--port", Integer.toString(busy.getLocalPort())), "already in use");
        }
        assertOnlyClusterOne();
    }

    @Test
    void missingPostgresBinariesAreReported() {
        assertFails(pgfly.run("create", "three", "--pg-bin", "/nonexistent/bin"), "no PostgreSQL server binaries");
        assertOnlyClusterOne();
    }

    @Test
    void badConfigAndOptionsAreRefused() {
        assertRefused(pgfly, Refusal.of("unknown config 'huge'", "create", "four", "--config", "huge"),
                Refusal.of("--sync needs at least 2 members", "create", "four-b", "--config", "dev", "--sync"),
                Refusal.of("invalid region", "create", "four-c", "--region", "Not Valid"));
        Pgfly.Result unknownOption = pgfly.run("create", "four", "--frobnicate");
        assertThat(unknownOption.exit()).isEqualTo(2);
        assertThat(unknownOption.err()).contains("Unknown option");
        assertOnlyClusterOne();
    }

    @Test
    void badPoolerValuesAreRefusedAndChangeNothing() {
        assertRefused(pgfly, Refusal.of("statement pooling breaks", "create", "five", "--pooler", "statement"),
                Refusal.of("unknown pool mode 'bogus'", "create", "five-b", "--pooler", "bogus"),
                Refusal.of("--scale-to-zero", "create", "five-c", "--pooler", "transaction", "--scale-to-zero"),
                Refusal.of("unknown pool mode 'nope'", "config", "update", "one", "--pooler", "nope"),
                Refusal.of("--pool-size must be from 1 to 1000", "config", "update", "one", "--pool-size", "0"),
                Refusal.of("has no pooler", "config", "update", "one", "--pool-size", "5"),
                Refusal.of("has no pooler", "url", "one", "--pooled"));
        assertOnlyClusterOne();
        assertThat(pgfly.ok("status", "one", "--json").json().get("proxy").path("pooled").isNull()).isTrue();
    }

    @Test
    void everyCommandHasHelp() {
        List<List<String>> calls = Stream.of(new String[][] {{"--help"}, {"create", "--help"}, {"list", "--help"},
                {"status", "--help"}, {"url", "--help"}, {"connect", "--help"}, {"stop", "--help"}, {"start", "--help"},
                {"destroy", "--help"}, {"failover", "--help"}, {"member", "add", "--help"},
                {"member", "remove", "--help"}, {"member", "update", "--help"}, {"events", "--help"}, {"daemon", "--help"},
                {"restart", "--help"}, {"pause", "--help"}, {"resume", "--help"}}).map(List::of).toList();
        List<Pgfly.Result> results = pgfly.runAll(calls);
        for (int i = 0; i < calls.size(); i++) {
            assertThat(results.get(i).exit()).as(String.join(" ", calls.get(i))).isZero();
            assertThat(results.get(i).out()).as(String.join(" ", calls.get(i))).contains("Usage:");
        }
    }

    /** A read-only command on a home with nothing in it says so, and starts no daemon there. */
    @Test
    void readOnlyCommandsOnAnEmptyHomeSayNothingRunsThere() throws Exception {
        Pgfly empty = new Pgfly();
        try {
            assertFails(empty.run("status", "demo"), "nothing runs at " + empty.home() + ": no daemon and no cluster there");
            assertFails(empty.run("events", "demo"), "nothing runs at " + empty.home());
            assertThat(empty.ok("list").out().strip()).isEqualTo("No clusters at " + empty.home()
                    + ", and no daemon runs there ('pgfly create NAME' makes one).");
            assertThat(empty.ok("list", "--json").json()).isEmpty();
            assertThat(Files.exists(empty.home().resolve("daemon/daemon.json"))).as("no daemon started").isFalse();
            assertThat(empty.processes()).isEmpty();
        } finally {
            empty.close();
        }
    }

    /** A long operation shows its steps on stderr as they happen (on a terminal, or with PGFLY_PROGRESS=1). */
    @Test
    void createShowsItsStepsOnStderr() throws Exception {
        Pgfly watched = new Pgfly(Map.of("PGFLY_PROGRESS", "1"));
        try {
            Pgfly.Result created = watched.ok("create", "steps");
            assertThat(created.err()).as(created.err()).contains("m1 bootstrap");
            assertThat(watched.ok("create", "quiet", "--json").err()).as("--json: no steps").doesNotContain("bootstrap");
        } finally {
            watched.close();
        }
    }

    /** {@code --at} and {@code --cancel}: bad moments are refused in one line; a scheduled restart shows and is cancelled. */
    @Test
    void badSchedulesAreRefusedAndAScheduledRestartCanBeCancelled() {
        assertRefused(pgfly, Refusal.of("invalid time 'yesterday'", "failover", "one", "--at", "yesterday"),
                Refusal.of("is in the past", "restart", "one", "--at", "2020-01-01T00:00:00Z"),
                Refusal.of("more than 30 days ahead", "restart", "one", "--at", "+31d"),
                Refusal.of("has one member", "failover", "one", "--at", "+1m"),
                Refusal.of("--cancel goes alone", "failover", "one", "--cancel", "--to", "m1"),
                Refusal.of("--dry-run explains a switchover now", "failover", "one", "--at", "+1m", "--dry-run"),
                Refusal.of("has no scheduled switchover", "failover", "one", "--cancel"),
                Refusal.of("has no scheduled restart", "restart", "one", "--cancel"),
                Refusal.of("has no member 'm9'", "restart", "one", "--at", "+1h", "--member", "m9"));
        assertThat(pgfly.ok("status", "one", "--json").json().get("scheduled")).as("nothing scheduled").isEmpty();

        JsonNode scheduled = pgfly.ok("restart", "one", "--at", "+1h", "--force", "--json").json();
        assertThat(scheduled.get("kind").asString()).isEqualTo("restart");
        assertThat(scheduled.get("force").asBoolean()).isTrue();
        assertThat(scheduled.get("at").asLong() - System.currentTimeMillis()).isBetween(3_000_000L, 3_600_000L);
        assertThat(pgfly.ok("status", "one").out()).contains("Scheduled: rolling restart (forced) at ")
                .contains("pgfly restart one --cancel");
        assertThat(pgfly.ok("status", "one", "--json").json().get("scheduled")).hasSize(1);
        assertThat(pgfly.ok("restart", "one", "--cancel").out()).contains("Cancelled: rolling restart (forced)");
        assertThat(pgfly.ok("status", "one", "--json").json().get("scheduled")).isEmpty();
        assertThat(pgfly.ok("events", "one", "--json").json().toString()).contains("scheduled-cancelled");
        assertOnlyClusterOne();
    }

    /** {@code member update}: each refusal is one line and changes nothing; a real change shows and is undone. */
    @Test
    void badMemberUpdatesAreRefusedAndChangeNothing() {
        assertRefused(pgfly, Refusal.of("nothing to change", "member", "update", "one", "m1"),
                Refusal.of("0..1000", "member", "update", "one", "m1", "--failover-priority", "5000"),
                Refusal.of("0..1000", "member", "update", "one", "m1", "--failover-priority", "-1"),
                Refusal.of("has no member 'm9'", "member", "update", "one", "m9", "--no-sync"),
                Refusal.of("nosuch", "member", "update", "nosuch", "m1", "--no-sync"),
                // The only member tagged nofailover: nothing could ever lead.
                Refusal.of("no member of the primary region could lead", "member", "update", "one", "m1", "--no-failover"));
        assertThat(pgfly.ok("status", "one", "--json").json().get("members").get(0).path("tags").isNull()).isTrue();

        JsonNode changed = pgfly.ok("member", "update", "one", "m1", "--failover-priority", "150", "--json").json();
        assertThat(changed.get("members").get(0).get("tags").asString()).isEqualTo("priority=150");
        pgfly.ok("member", "update", "one", "m1", "--failover-priority", "100");
        assertThat(pgfly.ok("status", "one", "--json").json().get("members").get(0).path("tags").isNull()).isTrue();
        assertOnlyClusterOne();
    }

    @Test
    void daemonThatCannotStartIsReported() throws Exception {
        Path file = Files.createTempFile("pgfly-not-a-dir", "");
        try (Pgfly broken = new Pgfly(Map.of("PGFLY_HOME", file.toString()))) {
            assertFails(broken.run("create", "demo"), "the daemon could not start");
            // A command that only reads starts no daemon: it names what is wrong with the home.
            assertFails(broken.run("list"), "PGFLY_HOME " + file + " is not a directory");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The node commands (several hosts) on this one-host home: each refusal is one line and the home stays a
     * one-host install with its cluster.
     */
    @Test
    void badNodeCommandsAreRefusedAndChangeNothing() {
        // This home's one-host daemon runs: it must be stopped first (then the home becomes a node that keeps its
        // cluster, HomeToNodeIT).
        assertFails(pgfly.run("node", "init", "--name", "h1", "--address", "127.0.0.1"), "is running: `pgfly daemon stop` first");
        // Checked before anything: a name, an address that is not an IP or not this host's, a join endpoint.
        assertRefused(pgfly, Refusal.of("invalid node name", "node", "init", "--name", "Bad_Name", "--address", "127.0.0.1"),
                Refusal.of("is not an IP address", "node", "init", "--name", "h1", "--address", "db.example.com"),
                Refusal.of("is not an address of this host", "node", "init", "--name", "h1", "--address", "203.0.113.7"),
                Refusal.of("is not HOST:PORT", "node", "join", "nowhere", "--token", "t", "--name", "h2", "--address", "127.0.0.1"),
                Refusal.of("token", "node", "join", "127.0.0.1:7432", "--name", "h2", "--address", "127.0.0.1"),
                Refusal.of("out of range", "node", "init", "--name", "h1", "--address", "127.0.0.1", "--api-port", "70000"),
                // The installation's commands on a one-host daemon say what it is.
                Refusal.of("one-host install", "node", "list"), Refusal.of("one-host install", "node", "remove", "h1"),
                Refusal.of("installations of several nodes", "member", "add", "one", "--node", "h2"));
        assertThat(pgfly.home().resolve("daemon/node.yaml")).doesNotExist();
        assertOnlyClusterOne();
    }
}
