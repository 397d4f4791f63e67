package dev.pgfly.node.pooler;

import dev.pgfly.core.model.PoolerSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgBouncerIniTest {
    @Test
    void serversThroughTheProxysPrimaryPortUsersLookedUpByTheLeastPrivilegeRole() {
        String ini = new PgBouncerIni(new PoolerSpec(PoolerSpec.PoolMode.TRANSACTION, 6432, 20, 1000), "127.0.0.1",
                "127.0.0.1", 16432, Path.of("/c/pooler/users.txt"), Path.of("/c/pooler/server-ca.crt"),
                Path.of("/c/pooler/pooler.crt"), Path.of("/c/pooler/pooler.key")).render();
        assertThat(ini).contains("* = host=127.0.0.1 port=16432 auth_user=pgfly_pooler\n")
                .contains("listen_port = 6432\n").contains("pool_mode = transaction\n")
                .contains("auth_query = SELECT usename, passwd FROM pgfly_pooler.user_lookup($1)\n")
                .contains("server_tls_sslmode = verify-ca\n").contains("client_tls_sslmode = require\n")
                .contains("admin_users = pgfly_pooler_admin\n");
    }

    @Test
    void theAuthFileHoldsOnlyThePoolersOwnSecrets() {
        assertThat(PgBouncerIni.authFile("Abc123", "Def456"))
                .isEqualTo("\"pgfly_pooler\" \"Abc123\"\n\"pgfly_pooler_admin\" \"Def456\"\n");
        assertThatThrownBy(() -> PgBouncerIni.authFile("a\"b", "c")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void poolModesAndSizesAreChecked() {
        assertThat(PoolerSpec.parseMode("transaction")).isEqualTo(PoolerSpec.PoolMode.TRANSACTION);
        assertThat(PoolerSpec.parseMode("SESSION")).isEqualTo(PoolerSpec.PoolMode.SESSION);
        assertThat(PoolerSpec.parseMode("off")).isNull();
        assertThatThrownBy(() -> PoolerSpec.parseMode("statement")).hasMessageContaining("statement pooling breaks");
        assertThatThrownBy(() -> PoolerSpec.parseMode("bogus")).hasMessageContaining("unknown pool mode 'bogus'");
        assertThatThrownBy(() -> PoolerSpec.of(PoolerSpec.PoolMode.SESSION).withSizes(0, 1000))
                .hasMessageContaining("pool size");
        assertThatThrownBy(() -> PoolerSpec.of(PoolerSpec.PoolMode.SESSION).withSizes(50, 10))
                .hasMessageContaining("must not exceed");
        assertThat(Pooling.forCreate(null, "ha").mode()).isEqualTo(PoolerSpec.PoolMode.TRANSACTION);
        assertThat(Pooling.forCreate(null, "dev")).isNull();
        assertThat(Pooling.forCreate("session", "dev").mode()).isEqualTo(PoolerSpec.PoolMode.SESSION);
    }
}
