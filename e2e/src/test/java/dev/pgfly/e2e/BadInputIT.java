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
import java.util.Map;

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

    private static void assertOnlyClusterOne() {
        var list = pgfly.ok("list", "--json").json();
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0).get("name").asString()).isEqualTo("one");
    }

    @Test
    void invalidNamesAreRefused() {
        for (String name : new String[] {"Bad", "1abc", "a_b", "a".repeat(64), "über", "a.b", "a/b"}) {
            assertFails(pgfly.run("create", name), "invalid cluster name");
        }
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
        assertFails(pgfly.run("status", "nope"), "no cluster named 'nope'");
        assertFails(pgfly.run("destroy", "nope", "--yes"), "no cluster named 'nope'");
        assertFails(pgfly.run("stop", "nope"), "no cluster named 'nope'");
        assertFails(pgfly.run("url", "nope"), "no cluster named 'nope'");
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
        assertFails(pgfly.run("create", "four", "--config", "huge"), "unknown config 'huge'");
        assertFails(pgfly.run("create", "four", "--config", "dev", "--sync"), "--sync needs at least 2 members");
        assertFails(pgfly.run("create", "four", "--region", "Not Valid"), "invalid region");
        Pgfly.Result unknownOption = pgfly.run("create", "four", "--frobnicate");
        assertThat(unknownOption.exit()).isEqualTo(2);
        assertThat(unknownOption.err()).contains("Unknown option");
        assertOnlyClusterOne();
    }

    @Test
    void badPoolerValuesAreRefusedAndChangeNothing() {
        assertFails(pgfly.run("create", "five", "--pooler", "statement"), "statement pooling breaks");
        assertFails(pgfly.run("create", "five", "--pooler", "bogus"), "unknown pool mode 'bogus'");
        assertFails(pgfly.run("create", "five", "--pooler", "transaction", "--scale-to-zero"), "--scale-to-zero");
        assertFails(pgfly.run("config", "update", "one", "--pooler", "nope"), "unknown pool mode 'nope'");
        assertFails(pgfly.run("config", "update", "one", "--pool-size", "0"), "--pool-size must be from 1 to 1000");
        assertFails(pgfly.run("config", "update", "one", "--pool-size", "5"), "has no pooler");
        assertFails(pgfly.run("url", "one", "--pooled"), "has no pooler");
        assertOnlyClusterOne();
        assertThat(pgfly.ok("status", "one", "--json").json().get("proxy").path("pooled").isNull()).isTrue();
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : new String[][] {{"--help"}, {"create", "--help"}, {"list", "--help"}, {"status", "--help"},
                {"url", "--help"}, {"connect", "--help"}, {"stop", "--help"}, {"start", "--help"},
                {"destroy", "--help"}, {"failover", "--help"}, {"member", "add", "--help"},
                {"member", "remove", "--help"}, {"member", "update", "--help"}, {"events", "--help"}, {"daemon", "--help"},
                {"restart", "--help"}, {"pause", "--help"}, {"resume", "--help"}}) {
            Pgfly.Result r = pgfly.run(cmd);
            assertThat(r.exit()).as(String.join(" ", cmd)).isZero();
            assertThat(r.out()).contains("Usage:");
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
        assertFails(pgfly.run("failover", "one", "--at", "yesterday"), "invalid time 'yesterday'");
        assertFails(pgfly.run("restart", "one", "--at", "2020-01-01T00:00:00Z"), "is in the past");
        assertFails(pgfly.run("restart", "one", "--at", "+31d"), "more than 30 days ahead");
        assertFails(pgfly.run("failover", "one", "--at", "+1m"), "has one member");
        assertFails(pgfly.run("failover", "one", "--cancel", "--to", "m1"), "--cancel goes alone");
        assertFails(pgfly.run("failover", "one", "--at", "+1m", "--dry-run"), "--dry-run explains a switchover now");
        assertFails(pgfly.run("failover", "one", "--cancel"), "has no scheduled switchover");
        assertFails(pgfly.run("restart", "one", "--cancel"), "has no scheduled restart");
        assertFails(pgfly.run("restart", "one", "--at", "+1h", "--member", "m9"), "has no member 'm9'");
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
        assertFails(pgfly.run("member", "update", "one", "m1"), "nothing to change");
        assertFails(pgfly.run("member", "update", "one", "m1", "--failover-priority", "5000"), "0..1000");
        assertFails(pgfly.run("member", "update", "one", "m1", "--failover-priority", "-1"), "0..1000");
        assertFails(pgfly.run("member", "update", "one", "m9", "--no-sync"), "has no member 'm9'");
        assertFails(pgfly.run("member", "update", "nosuch", "m1", "--no-sync"), "nosuch");
        // The only member tagged nofailover: nothing could ever lead.
        assertFails(pgfly.run("member", "update", "one", "m1", "--no-failover"), "no member of the primary region could lead");
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
        // This home runs a one-host cluster: it cannot become a node, whatever else is right.
        assertFails(pgfly.run("node", "init", "--name", "h1", "--address", "127.0.0.1"), "is running: `pgfly daemon stop` first");
        // Checked before anything: a name, an address that is not an IP or not this host's, a join endpoint.
        assertFails(pgfly.run("node", "init", "--name", "Bad_Name", "--address", "127.0.0.1"), "invalid node name");
        assertFails(pgfly.run("node", "init", "--name", "h1", "--address", "db.example.com"), "is not an IP address");
        assertFails(pgfly.run("node", "init", "--name", "h1", "--address", "203.0.113.7"), "is not an address of this host");
        assertFails(pgfly.run("node", "join", "nowhere", "--token", "t", "--name", "h2", "--address", "127.0.0.1"), "is not HOST:PORT");
        assertFails(pgfly.run("node", "join", "127.0.0.1:7432", "--name", "h2", "--address", "127.0.0.1"), "token");
        assertFails(pgfly.run("node", "init", "--name", "h1", "--address", "127.0.0.1", "--api-port", "70000"), "out of range");
        // The installation's commands on a one-host daemon say what it is.
        assertFails(pgfly.run("node", "list"), "one-host install");
        assertFails(pgfly.run("node", "remove", "h1"), "one-host install");
        assertFails(pgfly.run("member", "add", "one", "--node", "h2"), "installations of several nodes");
        assertThat(pgfly.home().resolve("daemon/node.yaml")).doesNotExist();
        assertOnlyClusterOne();
    }
}
