package dev.pgfly.node.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "app", "_x", "shop_2024", "a23456789012345678901234567890123456789012345678901234567890123"})
    void plainIdentifiersAreAccepted(String name) {
        assertThat(SqlNames.requireDatabase(name)).isSameAs(name);
        assertThat(SqlNames.requireUser(name)).isSameAs(name);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"a\"b", "x'; DROP TABLE t; --", "a;b", "a b", " a", "Ab", "é", "приложение", "1a",
            "a-b", "a.b", "a\nb", "a\0b", "$a", "a23456789012345678901234567890123456789012345678901234567890123x"})
    void hostileIdentifiersAreRefusedInOneLine(String name) {
        assertThatThrownBy(() -> SqlNames.requireDatabase(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid database name")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\0"));
    }

    @Test
    void lengthIsCountedInBytes() {
        String twoByteChars = "é".repeat(32);
        assertThatThrownBy(() -> SqlNames.requireApp(twoByteChars)).hasMessageContaining("longer than 63 bytes");
        assertThatThrownBy(() -> SqlNames.requireUser("u".repeat(64))).hasMessageContaining("longer than 63 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "pgfly_agent", "pgfly_replicator", "pgfly_anything"})
    void pgflysRolesCannotBeTouched(String name) {
        assertThatThrownBy(() -> SqlNames.requireUser(name)).hasMessageContaining("managed by pgfly");
    }

    @Test
    void postgresReservedRoleNamesAreRefused() {
        assertThatThrownBy(() -> SqlNames.requireUser("pg_monitor")).hasMessageContaining("reserved by PostgreSQL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "template0", "template1"})
    void systemDatabasesCannotBeDropped(String name) {
        assertThat(SqlNames.requireDatabase(name)).isEqualTo(name);
        assertThatThrownBy(() -> SqlNames.requireDroppableDatabase(name)).hasMessageContaining("cannot be dropped");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "template0", "template1"})
    void systemDatabasesCannotBelongToAnApp(String name) {
        assertThatThrownBy(() -> SqlNames.requireOwnableDatabase(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("database '" + name + "' is a system database (PostgreSQL's maintenance database or a"
                        + " template) and cannot belong to an app or user: give it its own database");
    }

    @Test
    void otherDatabasesMayBelongToAnApp() {
        assertThat(SqlNames.requireOwnableDatabase("shop")).isEqualTo("shop");
        assertThat(SqlNames.requireOwnableDatabase("postgres_app")).isEqualTo("postgres_app");
        assertThatThrownBy(() -> SqlNames.requireOwnableDatabase("Postgres")).hasMessageStartingWith("invalid database name");
    }

    @Test
    void appNamesMayHaveDashesAndMapToIdentifiers() {
        assertThat(SqlNames.defaultForApp("my-app")).isEqualTo("my_app");
        assertThat(SqlNames.defaultForApp("shop_api")).isEqualTo("shop_api");
        assertThatThrownBy(() -> SqlNames.requireApp("-app")).hasMessageStartingWith("invalid app name");
        assertThatThrownBy(() -> SqlNames.requireApp("My App")).hasMessageStartingWith("invalid app name");
    }

    @Test
    void quotingDoublesQuotes() {
        assertThat(SqlNames.quote("shop")).isEqualTo("\"shop\"");
        assertThat(SqlNames.quote("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(SqlNames.literal("it's")).isEqualTo("'it''s'");
        assertThatThrownBy(() -> SqlNames.literal("a\0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shownNamesStayOnOneLine() {
        assertThat(SqlNames.shown("a\nb")).isEqualTo("'a\\x0ab'");
        assertThat(SqlNames.shown("x".repeat(100))).endsWith("...'").hasSize(45);
    }

    @Test
    void attachmentsRoundTripThroughTheRoleComment() {
        Attachment a = new Attachment("my-app", "my_app", "my_app");
        assertThat(Attachment.fromComment("my_app", a.comment())).contains(a);
        assertThat(Attachment.fromComment("x", "some other comment")).isEmpty();
        assertThat(Attachment.fromComment("x", null)).isEmpty();
    }
}
