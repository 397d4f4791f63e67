package dev.pgfly.cli.commands;

import dev.pgfly.node.api.MemberView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HaproxyConfigTest {
    private static MemberView member(String name, String host, int port, String api) {
        return new MemberView(name, "replica", "running", "fra", host, port, null, null, api, null, 0, 0, 0, false, true,
                null, null, null);
    }

    private static final List<MemberView> THREE = List.of(
            member("m1", "127.0.1.1", 5432, "http://127.0.1.1:8008"),
            member("m2", "127.0.1.2", 5432, "http://127.0.1.2:8008"),
            member("m3", "127.0.1.3", 5433, "http://127.0.1.3:8009"));

    private static HaproxyConfig config(List<MemberView> members) {
        return new HaproxyConfig("shop", 5000, 5001, members.stream().map(HaproxyConfig.Server::of).toList());
    }

    @Test
    void rendersAPrimaryAndAReplicasListenerWithOneCheckedServerPerMember() {
        assertThat(config(THREE).render()).isEqualTo("""
                # HAProxy configuration for the pgfly cluster 'shop' (pgfly haproxy shop).
                # Each member's agent API answers OPTIONS /primary with 200 on the primary only and
                # OPTIONS /replica with 200 on a streaming replica only; HAProxy marks the others down
                # and cuts their sessions.
                global
                    maxconn 1000

                defaults
                    mode tcp
                    retries 2
                    timeout connect 4s
                    timeout client 30m
                    timeout server 30m
                    timeout check 5s

                listen primary
                    bind *:5000
                    option httpchk OPTIONS /primary
                    http-check expect status 200
                    default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions
                    server m1 127.0.1.1:5432 check port 8008
                    server m2 127.0.1.2:5432 check port 8008
                    server m3 127.0.1.3:5433 check port 8009

                listen replicas
                    bind *:5001
                    balance leastconn
                    option httpchk OPTIONS /replica
                    http-check expect status 200
                    default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions
                    server m1 127.0.1.1:5432 check port 8008
                    server m2 127.0.1.2:5432 check port 8008
                    server m3 127.0.1.3:5433 check port 8009
                """);
    }

    @Test
    void anApiElsewhereThanPostgresIsCheckedThereAndAnHttpsOneOverTls() {
        assertThat(HaproxyConfig.Server.of(member("m1", "10.0.0.1", 5432, "http://10.0.0.9:8008")).line())
                .isEqualTo("server m1 10.0.0.1:5432 check addr 10.0.0.9 port 8008");
        assertThat(HaproxyConfig.Server.of(member("m1", "10.0.0.1", 5432, "https://10.0.0.1:8008")).line())
                .isEqualTo("server m1 10.0.0.1:5432 check port 8008 check-ssl verify none");
        assertThat(HaproxyConfig.Server.of(member("m1", "::1", 5432, "http://[::1]:8008")).line())
                .isEqualTo("server m1 [::1]:5432 check port 8008");
    }

    @Test
    void refusesWhatHaproxyCouldNotUse() {
        List<HaproxyConfig.Server> servers = THREE.stream().map(HaproxyConfig.Server::of).toList();
        assertThatThrownBy(() -> new HaproxyConfig("shop", 5000, 5000, servers))
                .hasMessage("the primary and replica ports must differ (both 5000)");
        assertThatThrownBy(() -> new HaproxyConfig("shop", 0, 5001, servers))
                .hasMessage("the primary port must be 1-65535, not 0");
        assertThatThrownBy(() -> new HaproxyConfig("shop", 5000, 70000, servers))
                .hasMessage("the replica port must be 1-65535, not 70000");
        assertThatThrownBy(() -> new HaproxyConfig("shop", 5000, 5001, List.of()))
                .hasMessage("cluster 'shop' has no members");
        assertThatThrownBy(() -> HaproxyConfig.Server.of(member("m1", "10.0.0.1", 5432, null)))
                .hasMessage("member 'm1' has no agent API address");
    }

    /** Proof that HAProxy itself accepts the file, where HAProxy is installed (apt-get install haproxy). */
    @Test
    void haproxyAcceptsTheConfiguration(@TempDir Path dir) throws Exception {
        Path haproxy = Path.of("/usr/sbin/haproxy");
        assumeTrue(Files.isExecutable(haproxy), "haproxy is not installed");
        Path file = dir.resolve("haproxy.cfg");
        List<MemberView> members = new java.util.ArrayList<>(THREE);
        members.add(member("m4", "::1", 5432, "https://[::1]:8010"));
        members.add(member("m5", "10.0.0.1", 5432, "http://10.0.0.9:8008"));
        Files.writeString(file, config(members).render());
        Process p = new ProcessBuilder(haproxy.toString(), "-c", "-f", file.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).as("no warnings either").doesNotContainIgnoringCase("warning");
    }
}
