package dev.pgfly.testkit.hosts;

import dev.pgfly.core.util.Pids;
import dev.pgfly.testkit.Pgfly;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real namespaces, links and processes: needs root, iproute2, iptables and perl (for a tiny TCP server). */
class HostsTest {
    private static final int PORT = 7070;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Answers every connection with "hello" and closes it. */
    private static final String LISTENER = "$| = 1; $s = IO::Socket::INET->new(LocalAddr => '0.0.0.0', LocalPort => $ARGV[0],"
            + " Listen => 16, ReuseAddr => 1) or die \"listen: $!\"; print \"listening\\n\";"
            + " while ($c = $s->accept) { print $c \"hello\\n\"; close $c }";
    /** Prints the server's line; exit 3 when the connection fails within its 2 s. */
    private static final String CLIENT = "$c = IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => $ARGV[1],"
            + " Timeout => 2) or exit 3; print scalar(<$c>)";

    @TempDir
    Path dir;
    private Hosts hosts;

    @BeforeAll
    static void hostsCanRunHere() {
        assumeTrue(Hosts.unavailableReason().isEmpty(), () -> Hosts.unavailableReason().orElseThrow());
        assumeTrue(Ip.executable("perl").isPresent(), "no perl for the test's TCP server");
    }

    @AfterEach
    void cleanUp() {
        if (hosts != null) {
            hosts.close();
        }
    }

    @Test
    void aHostIsReachableFromTheOthersAndTheTestUntilItIsCutAndAgainOnceHealed() throws Exception {
        hosts = Hosts.create(2);
        Host h1 = hosts.host(1);
        Host h2 = hosts.host(2);
        assertThat(hosts.all()).containsExactly(h1, h2);
        assertThat(h1.address()).isNotEqualTo(h2.address()).startsWith("10.");
        assertThat(hosts.bridgeAddress()).endsWith(".254");
        listen(h1);

        assertThat(fromHost(h2, h1)).isEqualTo("hello");
        assertThat(fromTest(h1)).isEqualTo("hello");
        assertThat(toTest(h1, hosts.bridgeAddress())).as("the test's own servers, over the bridge").isEqualTo("hello");

        h1.cut();
        assertThat(h1.isCut()).isTrue();
        assertThat(h2.isCut()).isFalse();
        assertThat(fromHost(h2, h1)).isNull();
        long start = System.nanoTime();
        assertThat(fromTest(h1)).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("unanswered, until the connect timeout")
                .isGreaterThanOrEqualTo(CONNECT_TIMEOUT.minusMillis(100)).isLessThan(CONNECT_TIMEOUT.plusSeconds(2));
        assertThat(h1.run(Duration.ofSeconds(10), Map.of(), "perl", "-MIO::Socket::INET", "-e", CLIENT,
                h2.address(), Integer.toString(PORT)).exit()).as("the cut host reaches nobody").isNotZero();

        h1.heal();
        assertThat(h1.isCut()).isFalse();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(fromHost(h2, h1)).isEqualTo("hello");
            assertThat(fromTest(h1)).isEqualTo("hello");
        });
        assertThat(h1.run(Duration.ofSeconds(10), Map.of(), "ip", "-4", "-o", "addr", "show", "eth0").out())
                .contains(h1.address() + "/24");
    }

    @Test
    void aBlockedPeerIsCutOffWhileTheRestStillReachesTheHost() throws Exception {
        hosts = Hosts.create(3);
        Host h1 = hosts.host(1);
        Host h2 = hosts.host(2);
        Host h3 = hosts.host(3);
        listen(h1);

        h1.blockFrom(h2);
        assertThat(h1.blocked()).containsExactly(h2.address());
        assertThat(fromHost(h2, h1)).isNull();
        assertThat(fromHost(h3, h1)).isEqualTo("hello");
        assertThat(fromTest(h1)).isEqualTo("hello");

        h1.unblock(h2);
        assertThat(h1.blocked()).isEmpty();
        assertThat(fromHost(h2, h1)).isEqualTo("hello");
    }

    @Test
    void aCrashKillsEveryProcessOfTheHostAndNothingElse() throws Exception {
        hosts = Hosts.create(2);
        Host h1 = hosts.host(1);
        Host h2 = hosts.host(2);
        // a child with a child of its own, which a kill of the started process alone would leave
        Process tree = h1.start(List.of("sh", "-c", "sleep 600 & sh -c 'sleep 600 & sleep 600; true' & wait"),
                Map.of(), dir.resolve("tree.log"));
        Process other = h2.start(List.of("sleep", "600"), Map.of(), dir.resolve("other.log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> tree.descendants().anyMatch(
                d -> d.parent().map(p -> p.pid() != tree.pid()).orElse(false)));
        Set<Long> before = h1.pids();
        Set<Long> family = tree.descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        assertThat(before).contains(tree.pid()).containsAll(family).hasSizeGreaterThanOrEqualTo(5);
        assertThat(h1.started()).containsExactly(tree);

        h1.crash();

        assertThat(h1.pids()).isEmpty();
        assertThat(before).allSatisfy(pid -> assertThat(Pids.running(pid)).as("pid %d", pid).isFalse());
        assertThat(h1.started()).isEmpty();
        assertThat(other.isAlive()).isTrue();
        assertThat(h2.pids()).containsExactly(other.pid());
        // the host lives on: a restart in it works
        assertThat(h1.run(Duration.ofSeconds(10), Map.of(), "true").exit()).isZero();
    }

    @Test
    void closeLeavesNoNamespaceLinkBridgeOrProcessAndCanBeRepeated() throws Exception {
        hosts = Hosts.create(2);
        String prefix = hosts.prefix();
        Process sleeper = hosts.host(2).start(List.of("sleep", "600"), Map.of(), dir.resolve("sleep.log"));
        assertThat(ownObjects(prefix)).isNotEmpty();

        hosts.close();

        assertThat(ownObjects(prefix)).isEmpty();
        assertThat(Hosts.OWNERS.resolve(prefix)).doesNotExist();
        assertThat(Pids.running(sleeper.pid())).isFalse();
        assertThatCode(hosts::close).doesNotThrowAnyException();
    }

    @Test
    void removeStaleClearsWhatADeadRunLeftAndSparesALiveOne() throws Exception {
        hosts = Hosts.create(1);
        Naming stale = staleRun();
        Process orphan = new ProcessBuilder(Ip.ipCommand(), "netns", "exec", stale.namespace(1), "sleep", "600").start();
        await().atMost(Duration.ofSeconds(5)).until(() -> !NamespacePids.of(Path.of("/run/netns", stale.namespace(1))).isEmpty());

        Hosts.removeStale();

        assertThat(ownObjects(stale.prefix())).isEmpty();
        assertThat(Hosts.OWNERS.resolve(stale.prefix())).doesNotExist();
        assertThat(Pids.running(orphan.pid())).isFalse();
        assertThat(ownObjects(hosts.prefix())).as("the live run's").isNotEmpty();
        assertThat(Hosts.OWNERS.resolve(hosts.prefix())).exists();
        assertThat(toTest(hosts.host(1), hosts.bridgeAddress())).as("the live run still works").isEqualTo("hello");
    }

    @Test
    void aPgflyOfAHostRunsItsCliInsideTheHost() throws Exception {
        hosts = Hosts.create(1);
        Host h1 = hosts.host(1);
        Path home = dir.resolve("h1-home");
        Pgfly pgfly = h1.pgfly(home, Map.of());
        assertThat(pgfly.commandPrefix()).containsExactly(Ip.ipCommand(), "netns", "exec", h1.namespace());
        assertThat(pgfly.home()).isEqualTo(home.toAbsolutePath());
        assertThat(Files.getPosixFilePermissions(home)).hasSize(5); // rwx--x--x, as the temporary homes
    }

    /** Objects a crashed run left: owner file of a process that is gone, a bridge, a namespace, a veth. */
    private static Naming staleRun() throws IOException {
        Naming stale;
        do {
            stale = Naming.random(new java.security.SecureRandom());
        } while (Files.exists(Hosts.OWNERS.resolve(stale.prefix())) || !ownObjects(stale.prefix()).isEmpty());
        Files.createDirectories(Hosts.OWNERS);
        Files.writeString(Hosts.OWNERS.resolve(stale.prefix()), new Owner(Long.MAX_VALUE / 2, 1).format());
        Ip.ip("link", "add", "name", stale.bridge(), "type", "bridge");
        Ip.ip("netns", "add", stale.namespace(1));
        Ip.ip("link", "add", stale.bridgePort(1), "type", "veth", "peer", "name", "eth0", "netns", stale.namespace(1));
        Ip.ip("link", "set", stale.bridgePort(1), "master", stale.bridge());
        return stale;
    }

    private static List<String> ownObjects(String prefix) {
        return java.util.stream.Stream.concat(Hosts.namespaces().stream(), Hosts.links().stream())
                .filter(name -> name.startsWith(prefix)).toList();
    }

    private void listen(Host host) {
        Path log = dir.resolve(host.name() + "-listener.log");
        host.start(List.of("perl", "-MIO::Socket::INET", "-e", LISTENER, Integer.toString(PORT)), Map.of(), log);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readString(log).contains("listening"));
    }

    /** The listener's line as {@code client} gets it from {@code server}; null when it cannot connect. */
    private static String fromHost(Host client, Host server) {
        Pgfly.Result r = client.run(Duration.ofSeconds(10), Map.of(), "perl", "-MIO::Socket::INET", "-e", CLIENT,
                server.address(), Integer.toString(PORT));
        return r.exit() == 0 ? r.out().strip() : null;
    }

    /** The line a server of the test JVM, listening on {@code address}, sends to {@code client}. */
    private static String toTest(Host client, String address) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getByName(address))) {
            Thread.ofVirtual().start(() -> {
                try (Socket socket = server.accept()) {
                    socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the client gave up: its result says so
                }
            });
            Pgfly.Result r = client.run(Duration.ofSeconds(10), Map.of(), "perl", "-MIO::Socket::INET", "-e", CLIENT,
                    address, Integer.toString(server.getLocalPort()));
            return r.exit() == 0 ? r.out().strip() : null;
        }
    }

    /** The listener's line as the test JVM gets it over the bridge; null when it cannot connect. */
    private static String fromTest(Host server) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.address(), PORT), (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) CONNECT_TIMEOUT.toMillis());
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
