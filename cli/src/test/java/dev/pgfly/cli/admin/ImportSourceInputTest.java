package dev.pgfly.cli.admin;

import dev.pgfly.cli.client.CliException;
import dev.pgfly.cli.client.SecretInput;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 18, hole 2: the import source's password never comes from the command line. */
class ImportSourceInputTest {
    private static final String WITH_PASSWORD = "postgres://shop:pw@db.example:5432/shop";

    private static SecretInput input(String stdin, Map<String, String> env) {
        return SecretInput.of(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPasswordOnTheCommandLineIsRefusedInOneLine() {
        assertThatThrownBy(() -> ImportSource.resolveUrl(WITH_PASSWORD, null, input("", Map.of())))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("refusing a password on the command line")
                .hasMessageContaining("pgfly import NAME -").hasMessageContaining("--source-file")
                .hasMessageContaining("PGFLY_IMPORT_SOURCE").hasMessageContaining("PGPASSWORD")
                .hasMessageNotContaining("pw@").hasMessageNotContaining("\n");
    }

    @Test
    void fromStandardInput() {
        assertThat(ImportSource.resolveUrl("-", null, input(WITH_PASSWORD + "\n", Map.of()))).isEqualTo(WITH_PASSWORD);
        assertThat(ImportSource.resolveUrl(null, "-", input(WITH_PASSWORD, Map.of()))).isEqualTo(WITH_PASSWORD);
    }

    @Test
    void fromTheEnvironment() {
        assertThat(ImportSource.resolveUrl(null, null, input("", Map.of("PGFLY_IMPORT_SOURCE", WITH_PASSWORD))))
                .isEqualTo(WITH_PASSWORD);
        assertThatThrownBy(() -> ImportSource.resolveUrl(null, null, input("", Map.of())))
                .isInstanceOf(CliException.class).hasMessageStartingWith("no source URL");
    }

    @Test
    void withoutPasswordTheArgumentIsFineAndPgpasswordHoldsIt() {
        String url = ImportSource.resolveUrl("postgres://shop@db.example/shop", null, input("", Map.of()));
        ImportSource source = ImportSource.parse(url).withPasswordFrom(input("", Map.of("PGPASSWORD", "envpw")));
        assertThat(source.password()).isEqualTo("envpw");
        assertThat(source.libpqEnv()).containsEntry("PGPASSWORD", "envpw");
        // A URL's own password wins (from stdin, a file or the variable).
        assertThat(ImportSource.parse(WITH_PASSWORD).withPasswordFrom(input("", Map.of("PGPASSWORD", "envpw")))
                .password()).isEqualTo("pw");
    }

    @Test
    void notBoth() {
        assertThatThrownBy(() -> ImportSource.resolveUrl("-", "f", input("", Map.of())))
                .isInstanceOf(CliException.class).hasMessageContaining("not both");
    }
}
