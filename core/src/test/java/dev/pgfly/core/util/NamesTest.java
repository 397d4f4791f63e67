package dev.pgfly.core.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesTest {
    private static final String A63 = "a".repeat(63);
    private static final String A64 = "a".repeat(64);

    @ParameterizedTest
    @ValueSource(strings = {"a", "demo-1", "demo", "a1", "a-b-c", "z9-", "x-"})
    void validClusterNamesAreReturnedUnchanged(String name) {
        assertThat(Names.requireClusterName(name)).isSameAs(name);
    }

    @Test
    void aClusterNameMayHave63Characters() {
        assertThat(Names.requireClusterName(A63)).isEqualTo(A63);
        assertThat(Names.requireClusterName("d" + "-".repeat(62))).hasSize(63);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"1abc", "Abc", "aBc", "a_b", "-a", "a b", " a", "a/b", "a.b", "ä", "a\n", "../x"})
    void invalidClusterNamesAreRejected(String name) {
        assertThatThrownBy(() -> Names.requireClusterName(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid cluster name '" + name + "'");
    }

    @Test
    void aClusterNameOf64CharactersIsRejected() {
        assertThatThrownBy(() -> Names.requireClusterName(A64)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fra", "eu-west-1", "a"})
    void validRegions(String region) {
        assertThat(Names.requireRegion(region)).isEqualTo(region);
        assertThat(Names.requireRegion("r".repeat(32))).hasSize(32);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Fra", "1fra", "eu_west", "-x"})
    void invalidRegions(String region) {
        assertThatThrownBy(() -> Names.requireRegion(region))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid region");
        assertThatThrownBy(() -> Names.requireRegion("r".repeat(33))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"app", "_app", "app_user", "a1", "_"})
    void validIdentifiers(String name) {
        assertThat(Names.requireIdentifier("database", name)).isEqualTo(name);
        assertThat(Names.requireIdentifier("role", "u".repeat(63))).hasSize(63);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"App", "1app", "app-user", "app user", "app;drop", "\"app\"", "app.x"})
    void invalidIdentifiersNameTheirKind(String name) {
        assertThatThrownBy(() -> Names.requireIdentifier("role", name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid role name");
        assertThatThrownBy(() -> Names.requireIdentifier("database", "u".repeat(64)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid database name");
    }
}
