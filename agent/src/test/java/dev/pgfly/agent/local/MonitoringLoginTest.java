package dev.pgfly.agent.local;

import dev.pgfly.core.util.Secrets;
import dev.pgfly.postgres.PgConfig;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class MonitoringLoginTest {
    @Test
    void monitoringUsesThePgMonitorRoleWhenTheClusterHasOne() {
        Secrets secrets = Secrets.generate();
        assertThat(LocalPostgres.monitoringLogin(secrets))
                .isEqualTo(new LocalPostgres.Login(PgConfig.MONITOR_ROLE, secrets.monitorPassword()));
    }

    @Test
    void olderClustersMonitorAsTheAgentAsBefore() {
        Secrets old = new Secrets("s", "r", "a", "t", null);
        assertThat(LocalPostgres.monitoringLogin(old)).isEqualTo(new LocalPostgres.Login(PgConfig.AGENT_ROLE, "a"));
    }

    @Test
    void onlyAuthenticationAndPrivilegeErrorsFallBackToTheAgentRole() {
        assertThat(LocalPostgres.isAccessProblem(new SQLException("no role", "28000"))).isTrue();
        assertThat(LocalPostgres.isAccessProblem(new SQLException("bad password", "28P01"))).isTrue();
        assertThat(LocalPostgres.isAccessProblem(new SQLException("denied", "42501"))).isTrue();
        assertThat(LocalPostgres.isAccessProblem(new SQLException("refused", "08001"))).isFalse();
        assertThat(LocalPostgres.isAccessProblem(new SQLException("timeout", "57014"))).isFalse();
        assertThat(LocalPostgres.isAccessProblem(new SQLException("?"))).isFalse();
    }
}
