package dev.pgfly.cli.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretInputTest {
    private static SecretInput input(String stdin, Map<String, String> env) {
        return SecretInput.of(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void firstLineOfStandardInput() {
        assertThat(input("  key-1 \r\nsecond line\n", Map.of()).fromFile("-", "key")).isEqualTo("key-1");
        assertThatThrownBy(() -> input("\n", Map.of()).fromFile("-", "key"))
                .isInstanceOf(CliException.class).hasMessage("the key is empty (nothing on standard input)");
    }

    @Test
    void aPrivateFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("k"), "from-file\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(input("", Map.of()).fromFile(file.toString(), "key")).isEqualTo("from-file");
    }

    @Test
    void aFileEveryoneMayReadIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("k"), "from-file\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> input("", Map.of()).fromFile(file.toString(), "key"))
                .isInstanceOf(CliException.class).hasMessageContaining("every user may read it: chmod 600");
    }

    @Test
    void tooLong() {
        assertThatThrownBy(() -> input("x".repeat(SecretInput.MAX_BYTES + 1), Map.of()).fromFile("-", "key"))
                .isInstanceOf(CliException.class).hasMessageContaining("longer than");
    }

    @Test
    void environment() {
        assertThat(input("", Map.of("A", " v ")).fromEnv("A")).isEqualTo("v");
        assertThat(input("", Map.of("A", "")).fromEnv("A")).isNull();
        assertThat(input("", Map.of()).fromEnv("A")).isNull();
    }
}
