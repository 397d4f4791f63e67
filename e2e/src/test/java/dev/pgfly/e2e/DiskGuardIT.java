package dev.pgfly.e2e;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The full-disk guard on a real small filesystem: the members' directory of a dev cluster is a 256 MB
 * tmpfs of its own, mounted by the test where the daemon puts member data (under the cluster's directory
 * in the home), before {@code create}. The test fills it through the proxy at a few MB a second, each
 * write acknowledged with a ledger row, until PostgreSQL refuses with SQLSTATE 25006; then checks that
 * every acknowledged row is there, that PostgreSQL never ran out of space (no PANIC, no "No space left"),
 * that the vm check is critical and the event names the cause; frees space (drops the filler as the
 * superuser, deliberately read-write, and CHECKPOINT) and waits for writes to be accepted again by
 * themselves. Needs root (mount).
 */
class DiskGuardIT {
    private static final String CLUSTER = "diskfull";
    private static final int PAYLOAD_BYTES = 256 * 1024;
    private static Pgfly pgfly;
    /** The cluster's data root (every member's directory): the mount point. */
    private static Path dataRoot;
    private static Path memberDir;
    private static boolean mounted;

    @BeforeAll
    static void setUp() throws Exception {
        assumeThat(new ProcessBuilder("id", "-u").start().inputReader().readLine()).as("needs root to mount").isEqualTo("0");
        pgfly = new Pgfly();
        // The data root, not the member's directory: pgfly writes a member's files atomically through a
        // temporary file in the directory above, which must be on the same filesystem.
        dataRoot = pgfly.home().resolve("clusters").resolve(CLUSTER).resolve("members");
        memberDir = dataRoot.resolve("m1");
        Files.createDirectories(dataRoot);
        assertThat(run("mount", "-t", "tmpfs", "-o", "size=256m,mode=0755", "pgfly-diskguard", dataRoot.toString()))
                .as("mount a 256 MB tmpfs").isZero();
        mounted = true;
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (pgfly == null) {
            return;
        }
        try {
            pgfly.run("stop", CLUSTER);
            keepMemberLogs();
        } finally {
            if (mounted) {
                if (run("umount", dataRoot.toString()) != 0) {
                    run("umount", "-l", dataRoot.toString());
                }
            }
            pgfly.close();
        }
        assertThat(pgfly.processes()).as("processes left behind").isEmpty();
        assertThat(pgfly.home()).doesNotExist();
    }

    @Test
    void fullDiskRefusesWritesLosesNothingAndRecoversByItself() throws Exception {
        pgfly.ok("create", CLUSTER);
        JsonNode m1 = pgfly.status(CLUSTER).get("members").get(0);
        assertThat(Path.of(pgfly.home().toString(), "clusters", CLUSTER, "members", "m1", "data", "PG_VERSION"))
                .as("the member's data directory is on the test's tmpfs").exists();
        String url = pgfly.ok("url", CLUSTER).out().strip();
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE ledger (id int PRIMARY KEY)");
            st.execute("CREATE TABLE filler (id int, payload text)");
            // Stored as is: random hex compresses, and TOAST would halve what the test means to write.
            st.execute("ALTER TABLE filler ALTER COLUMN payload SET STORAGE EXTERNAL");
        }

        // Fill through the proxy, one acknowledged ledger row per megabyte-ish transaction, until refused.
        TreeSet<Integer> acknowledged = new TreeSet<>();
        SQLException refusal = null;
        List<String> otherErrors = new ArrayList<>();
        long started = System.nanoTime();
        try (Connection c = Db.connect(url)) {
            c.setAutoCommit(false);
            for (int id = 1; id <= 2000 && refusal == null; id++) {
                try (PreparedStatement ledger = c.prepareStatement("INSERT INTO ledger VALUES (?)");
                     PreparedStatement filler = c.prepareStatement(
                             "INSERT INTO filler SELECT ?, string_agg(md5(random()::text), '') FROM generate_series(1, ?)")) {
                    ledger.setInt(1, id);
                    ledger.executeUpdate();
                    filler.setInt(1, id);
                    filler.setInt(2, PAYLOAD_BYTES / 32);
                    filler.executeUpdate();
                    c.commit();
                    acknowledged.add(id);
                    if (id % 20 == 0) {
                        System.out.printf("%d acknowledged, data volume %d%% used%n", id, usedPercent());
                    }
                } catch (SQLException e) {
                    try {
                        c.rollback();
                    } catch (SQLException closed) {
                        otherErrors.add("rollback: " + closed.getSQLState() + " " + closed.getMessage());
                    }
                    if ("25006".equals(e.getSQLState())) {
                        refusal = e;
                    } else {
                        otherErrors.add(e.getSQLState() + " " + e.getMessage());
                        if (otherErrors.size() > 3) {
                            break;
                        }
                    }
                }
                // Paced (about 4 MB/s here): the guard looks once per HA cycle, and the 18% it keeps free must
                // last several cycles at this rate (a faster filler tests the disk, not the guard).
                Thread.sleep(50);
            }
        }
        System.out.printf("wrote %d acknowledged transactions (%d MiB) in %.1f s before the refusal%n",
                acknowledged.size(), acknowledged.size() * (long) PAYLOAD_BYTES >> 20, (System.nanoTime() - started) / 1e9);
        assertThat(otherErrors).as("errors other than the refusal (out of space, lost connections)").isEmpty();
        assertThat((Throwable) refusal).as("writes refused with read_only_sql_transaction").isNotNull();
        assertThat(refusal.getMessage()).contains("read-only transaction");
        assertThat(acknowledged.size()).isGreaterThan(50);

        // Nothing acknowledged is lost, and reading works.
        try (Connection c = Db.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM ledger ORDER BY id")) {
            TreeSet<Integer> found = new TreeSet<>();
            while (rs.next()) {
                found.add(rs.getInt(1));
            }
            assertThat(found).containsExactlyElementsOf(acknowledged);
        }
        // A new session is refused too, with the same SQLSTATE.
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO ledger VALUES (-1)");
            throw new AssertionError("a write was accepted on a full disk");
        } catch (SQLException e) {
            assertThat(e.getSQLState()).isEqualTo("25006");
        }

        JsonNode vm = vmCheck();
        System.out.println("vm check while refusing: " + vm.get("output").asString());
        assertThat(vm.get("status").asString()).isEqualTo("critical");
        assertThat(vm.get("output").asString()).contains("user writes refused until it is below").contains("cause:");
        assertThat(events()).anySatisfy(e -> {
            assertThat(e.get("kind").asString()).isEqualTo("disk-full");
            assertThat(e.get("reason").asString()).contains("full").contains("cause:");
        });
        assertThat(pgfly.status(CLUSTER).get("members").get(0).get("postgres_pid").asLong())
                .as("PostgreSQL never restarted").isEqualTo(m1.get("postgres_pid").asLong());

        // The operator frees space, deliberately read-write (as Fly documents); pgfly lifts the refusal by itself.
        try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
            st.execute("SET default_transaction_read_only = off");
            st.execute("DROP TABLE filler");
            st.execute("CHECKPOINT");
        }
        long freed = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
            try (Connection c = Db.connect(url); Statement st = c.createStatement()) {
                st.execute("INSERT INTO ledger VALUES (0)");
            }
        });
        System.out.printf("writes accepted again %.1f s after the space was freed%n", (System.nanoTime() - freed) / 1e9);
        assertThat(events()).anySatisfy(e -> assertThat(e.get("kind").asString()).isEqualTo("disk-ok"));
        assertThat(vmCheck().get("output").asString()).doesNotContain("refused");
        try (Connection c = Db.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM ledger WHERE id > 0")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(acknowledged.size());
        }
        String log = Files.readString(memberDir.resolve("postgres.log"));
        assertThat(log).doesNotContain("PANIC").doesNotContain("No space left on device");
    }

    private static int usedPercent() throws java.io.IOException {
        var store = Files.getFileStore(dataRoot);
        return (int) (100 * (store.getTotalSpace() - store.getUsableSpace()) / store.getTotalSpace());
    }

    /** The member's logs live on the tmpfs, gone once it is unmounted: copied where the test kit keeps logs. */
    private static void keepMemberLogs() {
        String target = System.getProperty("pgfly.logs");
        if (target == null || memberDir == null) {
            return;
        }
        try {
            Path into = Path.of(target, pgfly.home().getFileName().toString(), "tmpfs-m1");
            Files.createDirectories(into);
            for (String log : List.of("postgres.log", "agent.log")) {
                if (Files.exists(memberDir.resolve(log))) {
                    Files.copy(memberDir.resolve(log), into.resolve(log), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (java.io.IOException e) {
            System.err.println("could not keep the member's logs: " + e);
        }
    }

    private static JsonNode vmCheck() {
        for (JsonNode c : pgfly.ok("checks", CLUSTER, "--json").json().get(0).get("checks")) {
            if (c.get("name").asString().equals("vm")) {
                return c;
            }
        }
        throw new AssertionError("no vm check");
    }

    private static List<JsonNode> events() {
        List<JsonNode> list = new ArrayList<>();
        pgfly.ok("events", CLUSTER, "--json").json().forEach(list::add);
        return list;
    }

    private static int run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
