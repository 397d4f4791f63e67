package dev.pgfly.e2e;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.Writer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Database administration against one live two-member HA cluster: attach/detach, databases, users,
 * settings applied by reload or by a rolling restart under a writer, import from another server,
 * and hostile names.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminIT {
    private static final String CLUSTER = "adm";
    private static Pgfly pgfly;
    private static String url;
    private static String password;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        pgfly.ok("create", CLUSTER, "--config", "ha", "--members", "2");
        // The plain URL: the tests below swap its user and database (a TLS cluster's URL now ends in its sslmode).
        url = pgfly.ok("url", CLUSTER, "--no-verify").out().strip();
        password = Files.readString(pgfly.home().resolve("clusters/" + CLUSTER + "/secrets/superuser.password")).strip();
    }

    @AfterAll
    static void tearDown() throws Exception {
        pgfly.close();
        assertThat(pgfly.processes()).as("processes left behind").isEmpty();
        assertThat(pgfly.home()).doesNotExist();
    }

    @Test
    @Order(1)
    void attachGivesAWorkingUrlAndDetachRevokesIt() throws Exception {
        Pgfly.Result attached = pgfly.ok("attach", CLUSTER, "--app", "shop-api");
        String appUrl = attached.out().lines().filter(l -> l.startsWith("DATABASE_URL=")).findFirst().orElseThrow()
                .substring("DATABASE_URL=".length());
        assertThat(appUrl).matches("postgres://shop_api:[A-Za-z0-9]{24}@127\\.0\\.0\\.1:\\d+/shop_api");
        try (Connection c = Db.connect(appUrl); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE carts (id int PRIMARY KEY, items int)");
            st.execute("INSERT INTO carts SELECT g, g * 2 FROM generate_series(1, 10) g");
        }
        assertThat(queryString("shop_api", "SELECT tableowner FROM pg_tables WHERE tablename = 'carts'")).isEqualTo("shop_api");
        assertThat(queryString("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop_api'"))
                .isEqualTo("shop_api");

        Pgfly.Result again = pgfly.run("attach", CLUSTER, "--app", "shop-api");
        assertOneLineFailure(again, "app 'shop-api' is already attached to cluster 'adm'");

        try (Connection open = Db.connect(appUrl)) {
            pgfly.ok("detach", CLUSTER, "--app", "shop-api");
            assertThatThrownBy(() -> open.createStatement().execute("SELECT 1")).as("its session was ended")
                    .isInstanceOf(SQLException.class);
        }
        assertThatThrownBy(() -> Db.connect(appUrl, 3).close()).isInstanceOf(SQLException.class)
                .hasMessageContaining("shop_api");
        assertThat(queryString("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'shop_api'")).isEqualTo("0");
        assertThat(queryString("shop_api", "SELECT count(*) FROM carts")).as("the database stays").isEqualTo("10");

        // Attached again, the app gets the kept database and its tables back; with --drop-database it goes.
        String second = pgfly.ok("attach", CLUSTER, "--app", "shop-api").out().lines()
                .filter(l -> l.startsWith("DATABASE_URL=")).findFirst().orElseThrow().substring("DATABASE_URL=".length());
        try (Connection c = Db.connect(second); Statement st = c.createStatement()) {
            st.execute("INSERT INTO carts VALUES (11, 22)");
        }
        pgfly.ok("detach", CLUSTER, "--app", "shop-api", "--drop-database");
        assertThat(queryString("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'shop_api'")).isEqualTo("0");
        assertOneLineFailure(pgfly.run("detach", CLUSTER, "--app", "shop-api"), "app 'shop-api' is not attached");
    }

    @Test
    @Order(2)
    void listsAgreeWithWhatSqlReports() throws Exception {
        pgfly.ok("db", "create", CLUSTER, "reports");
        Pgfly.Result created = pgfly.ok("users", "create", CLUSTER, "analyst");
        String analystPassword = created.out().lines().filter(l -> l.startsWith("Password")).findFirst().orElseThrow()
                .replaceFirst(".*: ", "");
        pgfly.ok("attach", CLUSTER, "--app", "billing", "--database", "billing_db", "--user", "billing_rw");

        Map<String, String> owners = new TreeMap<>();
        for (JsonNode d : pgfly.ok("db", "list", CLUSTER, "--json").json()) {
            owners.put(d.get("name").asString(), d.get("owner").asString() + "/" + d.get("encoding").asString());
            assertThat(d.get("size_bytes").asLong()).isPositive();
        }
        assertThat(owners).isEqualTo(rows("postgres", """
                SELECT datname, pg_get_userbyid(datdba) || '/' || pg_encoding_to_char(encoding)
                FROM pg_database WHERE NOT datistemplate"""));
        assertThat(owners).containsEntry("billing_db", "billing_rw/UTF8").containsEntry("reports", "postgres/UTF8");

        Map<String, String> users = new TreeMap<>();
        for (JsonNode u : pgfly.ok("users", "list", CLUSTER, "--json").json()) {
            users.put(u.get("name").asString(), u.get("superuser").asBoolean() + "/" + u.get("attributes").toString().contains("login"));
            if (u.get("name").asString().equals("billing_rw")) {
                assertThat(u.get("attached_app").asString()).isEqualTo("billing");
                assertThat(u.get("databases").get(0).asString()).isEqualTo("billing_db");
            }
        }
        assertThat(users).isEqualTo(rows("postgres", "SELECT rolname, rolsuper || '/' || rolcanlogin FROM pg_roles WHERE rolname !~ '^pg_'"));
        assertThat(users).containsKeys("analyst", "billing_rw", "postgres", "pgfly_agent", "pgfly_replicator");

        try (Connection c = Db.connect(urlFor("analyst", analystPassword, "reports"))) {
            assertThat(c.isValid(2)).isTrue();
        }
        String changed = pgfly.ok("users", "password", CLUSTER, "analyst").out().lines()
                .filter(l -> l.startsWith("New password")).findFirst().orElseThrow().replaceFirst(".*: ", "");
        assertThatThrownBy(() -> Db.connect(urlFor("analyst", analystPassword, "reports"), 3).close())
                .isInstanceOf(SQLException.class);
        try (Connection c = Db.connect(urlFor("analyst", changed, "reports"))) {
            assertThat(c.isValid(2)).isTrue();
        }

        assertOneLineFailure(pgfly.run("db", "drop", CLUSTER, "billing_db", "--yes"), "is attached to app 'billing'");
        assertOneLineFailure(pgfly.run("db", "drop", CLUSTER, "reports"), "--yes");
        pgfly.ok("db", "drop", CLUSTER, "reports", "--yes");
        pgfly.ok("users", "drop", CLUSTER, "analyst", "--yes");
        assertThat(rows("postgres", "SELECT datname, '' FROM pg_database")).doesNotContainKey("reports");
        assertThat(rows("postgres", "SELECT rolname, '' FROM pg_roles")).doesNotContainKey("analyst");

        for (String[] forbidden : List.of(new String[] {"users", "drop", CLUSTER, "postgres", "--yes"},
                new String[] {"users", "password", CLUSTER, "pgfly_agent"},
                new String[] {"users", "drop", CLUSTER, "pgfly_replicator", "--yes"},
                new String[] {"db", "drop", CLUSTER, "postgres", "--yes"},
                new String[] {"db", "drop", CLUSTER, "template1", "--yes"})) {
            Pgfly.Result r = pgfly.run(forbidden);
            assertThat(r.exit()).isNotZero();
            assertThat(r.err().strip()).matches("pgfly: .*(managed by pgfly|cannot be dropped).*");
        }
        pgfly.ok("detach", CLUSTER, "--app", "billing", "--drop-database");
    }

    @Test
    @Order(3)
    void aReloadableSettingTakesEffectEverywhereWithoutRestart() throws Exception {
        Map<String, Long> started = startTimes();
        pgfly.ok("config", "update", CLUSTER, "--work-mem", "24MB", "--log-min-duration-statement", "250ms");
        for (JsonNode m : pgfly.status(CLUSTER).get("members")) {
            try (Connection c = direct(m)) {
                assertThat(show(c, "work_mem")).isEqualTo("24MB");
                assertThat(show(c, "log_min_duration_statement")).isEqualTo("250ms");
            }
        }
        assertThat(startTimes()).as("no member restarted").isEqualTo(started);
        JsonNode shown = pgfly.ok("config", "show", CLUSTER, "--json").json();
        assertThat(shown.get("configured").get("work_mem").asString()).isEqualTo("24MB");
        for (JsonNode m : shown.get("members")) {
            assertThat(m.get("values").get("work_mem").get("in_force").asBoolean()).isTrue();
            assertThat(m.get("pending_restart").size()).isZero();
        }
        assertThat(pgfly.ok("restart", CLUSTER).out()).as("nothing pending, nothing restarted").contains("Nothing restarted");
        assertThat(startTimes()).isEqualTo(started);
    }

    @Test
    @Order(4)
    void aRestartSettingIsPendingUntilARollingRestartThatLosesNoWrite() throws Exception {
        pgfly.ok("config", "update", CLUSTER, "--max-connections", "120");
        JsonNode shown = pgfly.ok("config", "show", CLUSTER, "--json").json();
        for (JsonNode m : shown.get("members")) {
            assertThat(m.get("pending_restart").toString()).contains("max_connections");
            assertThat(m.get("values").get("max_connections").get("value").asString()).isEqualTo("100");
            assertThat(m.get("values").get("max_connections").get("pending_restart").asBoolean()).isTrue();
        }
        assertThat(pgfly.ok("config", "show", CLUSTER).out()).contains("100 (restart pending)");
        String primaryBefore = pgfly.status(CLUSTER).get("leader").asString();

        Set<Long> acknowledged;
        long gap;
        try (Writer writer = new Writer(url)) {
            assertThat(writer.awaitMoreAcks(20, 30_000)).isTrue();
            writer.resetGap();
            Pgfly.Result restarted = pgfly.ok("restart", CLUSTER);
            System.out.println(restarted.out());
            assertThat(writer.awaitMoreAcks(20, 30_000)).as("writes after the restart").isTrue();
            writer.close();
            acknowledged = writer.acknowledged();
            gap = writer.longestGapMillis();
        }
        System.out.printf("rolling restart: longest write pause %d ms, %d acknowledged writes%n", gap, acknowledged.size());
        assertThat(pgfly.status(CLUSTER).get("leader").asString()).as("switched over").isNotEqualTo(primaryBefore);
        Set<Long> present = Writer.stored(url);
        assertThat(present).as("every acknowledged write survived").containsAll(acknowledged);
        for (JsonNode m : pgfly.status(CLUSTER).get("members")) {
            try (Connection c = direct(m)) {
                assertThat(show(c, "max_connections")).isEqualTo("120");
                assertThat(queryString(c, "SELECT count(*) FROM pg_settings WHERE pending_restart")).isEqualTo("0");
            }
        }
    }

    @Test
    @Order(5)
    void importCopiesADatabaseFromAnotherServer() throws Exception {
        try (ScratchPostgres source = new ScratchPostgres()) {
            try (Connection c = Db.connect(source.url("postgres")); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE shop");
            }
            try (Connection c = Db.connect(source.url("shop")); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, since date)");
                st.execute("INSERT INTO customers (name, since) SELECT 'customer ' || g, date '2020-01-01' + g "
                        + "FROM generate_series(1, 2000) g");
                st.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, customer int REFERENCES customers, "
                        + "total numeric(10,2), note text)");
                st.execute("INSERT INTO orders (customer, total, note) SELECT 1 + g % 2000, g * 1.25, "
                        + "CASE WHEN g % 7 = 0 THEN 'it''s \"quoted\"' END FROM generate_series(1, 20000) g");
                st.execute("CREATE INDEX orders_customer ON orders (customer)");
                st.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 1000");
            }
            Map<String, String> expected = checksums(Db.connect(source.url("shop")));

            // The source URL carries a password: from a private file, never the command line (issue 18, hole 2).
            String shopSource = secretFile(source.url("shop"));
            Pgfly.Result imported = pgfly.ok("import", CLUSTER, "--source-file", shopSource, "--jobs", "2");
            assertThat(imported.out()).contains("restore: 2/2 tables").contains("Imported postgres@127.0.0.1");
            assertThat(imported.out()).doesNotContain(source.url("shop").split("@")[0].split(":")[2]);
            assertThat(checksums(Db.connect(urlFor("postgres", password, "shop")))).isEqualTo(expected);

            Pgfly.Result refused = pgfly.run("import", CLUSTER, "--source-file", shopSource);
            assertOneLineFailure(refused, "database 'shop' in cluster 'adm' is not empty");
            assertThat(checksums(Db.connect(urlFor("postgres", password, "shop")))).isEqualTo(expected);

            try (Connection c = Db.connect(urlFor("postgres", password, "shop")); Statement st = c.createStatement()) {
                st.execute("DELETE FROM orders WHERE id > 100");
            }
            pgfly.ok("import", CLUSTER, "--source-file", shopSource, "--clean", "--jobs", "2");
            assertThat(checksums(Db.connect(urlFor("postgres", password, "shop")))).isEqualTo(expected);

            assertOneLineFailure(pgfly.run("import", CLUSTER, "--source-file",
                    secretFile("postgres://postgres:x@127.0.0.1:1/other")), "pg_dump failed");
            assertThat(rows("postgres", "SELECT datname, '' FROM pg_database")).as("a failed import creates nothing")
                    .doesNotContainKey("other");
        }
    }

    @Test
    @Order(6)
    void hostileNamesAreRefusedAndChangeNothing() throws Exception {
        String before = state();
        List<String> hostile = List.of("a\"b", "x'; DROP TABLE writes; --", "a;b", "two words", "ünïcødé", "",
                "a".repeat(64), "Robert'); DROP DATABASE postgres;--", "new\nline");
        List<String[]> all = new ArrayList<>();
        String clusterSource = secretFile(url);
        for (String name : hostile) {
            // The commands HostileInputIT's CLI case does not give hostile names to (it does attach --app,
            // db create|drop, users create|drop and config update --set).
            List<String[]> calls = new ArrayList<>(List.of(
                    new String[] {"attach", CLUSTER, "--app", "ok-app", "--database", name},
                    new String[] {"attach", CLUSTER, "--app", "ok-app", "--user", name},
                    new String[] {"detach", CLUSTER, "--app", name},
                    new String[] {"users", "password", CLUSTER, name},
                    new String[] {"import", CLUSTER, "--source-file", clusterSource, "--database", name}));
            // Every name against every other command (the unit tests cover the rules exhaustively): each
            // command still meets quotes, spaces, Unicode, the empty name and an over-long one end to end.
            for (int j = hostile.indexOf(name) % 2; j < calls.size(); j += 2) {
                all.add(calls.get(j));
            }
        }
        // Each call is its own JVM: two at a time keeps this test short on a small machine.
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            List<java.util.concurrent.Future<Pgfly.Result>> results = new ArrayList<>();
            for (String[] call : all) {
                results.add(pool.submit(() -> pgfly.run(call)));
            }
            for (int i = 0; i < all.size(); i++) {
                String[] call = all.get(i);
                Pgfly.Result r = results.get(i).get();
                assertThat(r.exit()).as(String.join(" ", call)).isNotZero();
                assertThat(r.err().strip().lines().count()).as("one line: " + r.err()).isEqualTo(1);
                assertThat(r.err()).as(String.join(" ", call)).containsAnyOf("invalid", "unknown setting");
            }
        }
        Pgfly.Result badValue = pgfly.run("config", "update", CLUSTER, "--set", "work_mem=1MB'\ninclude '/etc/passwd");
        assertThat(badValue.exit()).isNotZero();
        assertThat(badValue.err().strip()).startsWith("pgfly: invalid value").doesNotContain("\n");
        for (String[] refused : List.of(new String[] {"config", "update", CLUSTER, "--set", "port=6000"},
                new String[] {"config", "update", CLUSTER, "--set", "archive_command=rm -rf /"},
                new String[] {"config", "update", CLUSTER, "--wal-level", "minimal"},
                new String[] {"config", "update", CLUSTER, "--shared-buffers", "12parsecs"},
                new String[] {"config", "update", CLUSTER, "--max-connections", "0"},
                new String[] {"config", "update", CLUSTER, "--set", "shared_bufers=1GB"})) {
            Pgfly.Result r = pgfly.run(refused);
            assertThat(r.exit()).as(String.join(" ", refused)).isNotZero();
            assertThat(r.err().strip().lines().count()).isEqualTo(1);
        }
        assertOneLineFailure(pgfly.run("config", "update", CLUSTER, "--set", "shared_bufers=1GB"), "did you mean shared_buffers?");
        assertThat(state()).as("nothing changed").isEqualTo(before);
    }

    // ------------------------------------------------------------------ helpers

    /** A private (0600) file holding a secret for a {@code --...-file} option; removed when the JVM ends. */
    private static String secretFile(String content) throws java.io.IOException {
        java.nio.file.Path file = Files.createTempFile("pgfly-it-secret", ".txt",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        file.toFile().deleteOnExit();
        Files.writeString(file, content + "\n");
        return file.toString();
    }

    /** Databases, roles and the managed settings: what a refused command must leave as it was. */
    private static String state() throws SQLException {
        return rows("postgres", "SELECT datname, pg_get_userbyid(datdba) FROM pg_database") + " "
                + rows("postgres", "SELECT rolname, rolsuper::text FROM pg_roles") + " "
                + pgfly.ok("config", "show", CLUSTER, "--json").json().get("configured");
    }

    private static Map<String, String> checksums(Connection connection) throws SQLException {
        Map<String, String> sums = new TreeMap<>();
        try (Connection c = connection; Statement st = c.createStatement()) {
            for (String table : List.of("customers", "orders")) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) || ':' || md5(string_agg(t::text, '|' ORDER BY id)) FROM "
                        + table + " t")) {
                    rs.next();
                    sums.put(table, rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM big_orders")) {
                rs.next();
                sums.put("big_orders", rs.getString(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT last_value FROM orders_id_seq")) {
                rs.next();
                sums.put("orders_id_seq", rs.getString(1));
            }
        }
        return sums;
    }

    private static Map<String, Long> startTimes() throws SQLException {
        Map<String, Long> times = new TreeMap<>();
        for (JsonNode m : pgfly.status(CLUSTER).get("members")) {
            try (Connection c = direct(m)) {
                times.put(m.get("name").asString(),
                        Long.parseLong(queryString(c, "SELECT extract(epoch FROM pg_postmaster_start_time())::bigint")));
            }
        }
        return times;
    }

    private static Connection direct(JsonNode member) throws SQLException {
        return Db.direct(member.get("host").asString(), member.get("port").asInt(), password, 5, null);
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?)")) {
            ps.setString(1, setting);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String urlFor(String user, String pw, String database) {
        return url.replaceFirst("postgres://postgres:[^@]+@", "postgres://" + user + ":" + pw + "@")
                .replaceFirst("/postgres$", "/" + database);
    }

    private static String queryString(String database, String sql) throws SQLException {
        try (Connection c = Db.connect(urlFor("postgres", password, database))) {
            return queryString(c, sql);
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Map<String, String> rows(String database, String sql) throws SQLException {
        Map<String, String> m = new TreeMap<>();
        try (Connection c = Db.connect(urlFor("postgres", password, database)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getString(2));
            }
        }
        return m;
    }

    private static void assertOneLineFailure(Pgfly.Result r, String expected) {
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).contains(expected);
        assertThat(r.err().strip().lines().count()).as("one line: " + r.err()).isEqualTo(1);
    }

}
