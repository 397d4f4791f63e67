package dev.pgfly.postgres;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PgConfigTest {
    private static final List<String> HOSTS = List.of("127.41.3.2", "127.41.3.1");

    @Test
    void withoutTlsEveryTcpLineTakesAPasswordAndOnlyMembersReplicate() {
        String hba = PgConfig.renderHba(HOSTS);
        assertThat(hba).isEqualTo(PgConfig.renderHba(HOSTS, false));
        assertThat(hba.lines().filter(l -> !l.startsWith("#"))).allMatch(l -> l.startsWith("host ") && l.endsWith("scram-sha-256"));
        assertThat(hba).contains("host    replication  pgfly_replicator   127.41.3.1/32       scram-sha-256")
                .contains("host    replication  pgfly_replicator   127.0.0.1/32        scram-sha-256")
                .doesNotContain("hostssl").doesNotContain("reject");
    }

    @Test
    void withTlsOnlyTlsConnectionsAreAcceptedAndTheRestIsRejected() {
        String hba = PgConfig.renderHba(HOSTS, true);
        List<String> rules = hba.lines().filter(l -> !l.startsWith("#")).toList();
        assertThat(rules).noneMatch(l -> l.startsWith("host "));
        assertThat(rules.stream().filter(l -> l.endsWith("scram-sha-256")))
                .hasSize(5).allMatch(l -> l.startsWith("hostssl "));
        assertThat(hba).contains("hostssl replication  pgfly_replicator   127.41.3.2/32       scram-sha-256")
                .contains("hostssl all          all                0.0.0.0/0           scram-sha-256");
        // Rejections come after the accepting lines (first match wins) and cover replication too.
        assertThat(rules.subList(5, rules.size())).containsExactly(
                "hostnossl all          all                0.0.0.0/0           reject",
                "hostnossl all          all                ::/0                reject",
                "hostnossl replication  all                0.0.0.0/0           reject",
                "hostnossl replication  all                ::/0                reject");
    }

    @Test
    void tlsSettingsNameTheFiles() {
        assertThat(PgConfig.tlsSettings("/m/tls/server.crt", "/m/tls/server.key", "/m/tls/root.crt"))
                .containsEntry("ssl", "on").containsEntry("ssl_cert_file", "/m/tls/server.crt")
                .containsEntry("ssl_key_file", "/m/tls/server.key").containsEntry("ssl_ca_file", "/m/tls/root.crt");
        assertThat(PgConfig.renderConf(PgConfig.tlsSettings("/m/it's/server.crt", "k", "c")))
                .contains("ssl_cert_file = '/m/it''s/server.crt'");
    }

    @Test
    void replicationVerifiesTheUpstreamWithTheClustersCa() {
        String plain = PgConfig.primaryConninfo("127.41.3.1", 5432, "m2", "/m/pgpass");
        assertThat(plain).contains("sslmode=prefer").doesNotContain("sslrootcert");
        String tls = PgConfig.primaryConninfo("127.41.3.1", 5432, "m2", "/m/pgpass", new PgTls(Path.of("/m/tls/root.crt")));
        assertThat(tls).contains("sslmode=verify-full sslrootcert='/m/tls/root.crt'").doesNotContain("prefer")
                .startsWith("host=127.41.3.1 port=5432 user=pgfly_replicator");
        String mutual = PgConfig.primaryConninfo("127.41.3.1", 5432, "m2", "/m/pgpass",
                new PgTls(Path.of("/m/tls/root.crt"), Path.of("/m/tls/server.crt"), Path.of("/m/tls/server.key")));
        assertThat(mutual).contains(" sslcert='/m/tls/server.crt' sslkey='/m/tls/server.key'");
    }

    @Test
    void clientTlsForJdbcAndLibpq() {
        PgTls tls = new PgTls(Path.of("/m/tls/root.crt"));
        assertThat(tls.addTo(new java.util.Properties())).containsEntry("sslmode", "verify-full")
                .containsEntry("sslrootcert", "/m/tls/root.crt");
        assertThat(tls.libpqEnv()).containsEntry("PGSSLMODE", "verify-full").containsEntry("PGSSLROOTCERT", "/m/tls/root.crt")
                .doesNotContainKey("PGSSLCERT");
        assertThat(new PgTls(Path.of("/r"), Path.of("/c"), Path.of("/k")).libpqEnv()).containsEntry("PGSSLCERT", "/c")
                .containsEntry("PGSSLKEY", "/k");
        assertThat(PgTls.OFF.addTo(new java.util.Properties())).isEmpty();
        assertThat(PgTls.OFF.libpqEnv()).isEmpty();
    }
}
