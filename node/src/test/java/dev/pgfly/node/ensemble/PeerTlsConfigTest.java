package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.ZkTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PeerTlsConfigTest {
    @TempDir
    Path dir;

    @Test
    void tlsLinesAreWrittenAtEachStartAndRemovedWithoutTls() throws Exception {
        PeerAddress self = new PeerAddress(1, "10.0.0.1", 2888, 3888, 2181, PeerRole.VOTER);
        PeerFiles files = new PeerFiles(dir.resolve("peer"));
        files.create(self, List.of(self), PeerSettings.DEFAULT);
        String plain = Files.readString(files.staticConfig());
        ZkTls tls = ZkTls.in(dir.resolve("tls"));

        files.writeTls(tls);
        files.writeTls(tls);
        String secure = Files.readString(files.staticConfig());
        assertThat(secure).startsWith(plain.strip())
                .contains("sslQuorum=true", "ssl.clientAuth=need", "ssl.quorum.trustStore.location=" + tls.trustStore(),
                        "ssl.keyStore.location=" + tls.keyStore(), "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory");
        assertThat(secure.split("sslQuorum=true", -1)).as("written once").hasSize(2);

        files.writeTls(null);
        assertThat(Files.readString(files.staticConfig())).isEqualTo(plain);
    }
}
