package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.SecretInput;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 18, hole 2: the S3 secret key never comes from the command line. */
class S3SecretKeyTest {
    private static BackupCommand.StoreOptions parse(String... args) {
        BackupCommand.StoreOptions options = new BackupCommand.StoreOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    private static SecretInput input(String stdin, Map<String, String> env) {
        return SecretInput.of(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void onTheCommandLineItIsRefused() {
        BackupCommand.StoreOptions o = parse("--backup-store", "s3://b/p", "--s3-secret-key", "it-secret-key");
        assertThatThrownBy(() -> o.secretKey(input("", Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("refusing --s3-secret-key")
                .hasMessageContaining("AWS_SECRET_ACCESS_KEY").hasMessageContaining("--s3-secret-key-file")
                .hasMessageNotContaining("it-secret-key").hasMessageNotContaining("\n");
        assertThatThrownBy(o::given).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(o::settings).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromStandardInputOrTheEnvironment() {
        assertThat(parse("--s3-secret-key-file", "-").secretKey(input("from-stdin\n", Map.of())))
                .isEqualTo("from-stdin");
        assertThat(parse().secretKey(input("", Map.of("AWS_SECRET_ACCESS_KEY", "from-env")))).isEqualTo("from-env");
        assertThat(parse().secretKey(input("", Map.of()))).isNull();
    }
}
