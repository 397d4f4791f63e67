package dev.pgfly.core.coord;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalFirstHostProviderTest {
    private static final InetSocketAddress A = server("10.77.0.1");
    private static final InetSocketAddress B = server("10.77.0.2");
    private static final InetSocketAddress C = server("10.77.0.3");

    @Test
    void thisHostsServerIsTriedFirstWhereverItIsListed() {
        for (int i = 0; i < 20; i++) {
            LocalFirstHostProvider provider = new LocalFirstHostProvider(List.of(A, B, C), only("10.77.0.3"));
            assertThat(provider.next(0)).isEqualTo(C);
            assertThat(List.of(provider.next(0), provider.next(0))).containsExactlyInAnyOrder(A, B);
        }
    }

    @Test
    void afterADisconnectTheNextAttemptIsThisHostsServerAgain() {
        LocalFirstHostProvider provider = new LocalFirstHostProvider(List.of(A, B, C), only("10.77.0.2"));
        assertThat(provider.next(0)).isEqualTo(B);
        provider.next(0); // this host's peer refused: the client went on to another
        provider.onConnected();
        assertThat(provider.next(0)).isEqualTo(B);
    }

    @Test
    void afterADisconnectThisHostsServerIsTriedAgainWhileItListensWithinThePatience() throws Exception {
        LocalFirstHostProvider provider = new LocalFirstHostProvider(List.of(A, B, C), only("10.77.0.2"), s -> true, 300, 60_000);
        provider.onConnected();
        List<InetSocketAddress> tried = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tried.add(provider.next(0));
        }
        assertThat(tried).as("its peer is electing: the others are electing too").containsOnly(B);
        Thread.sleep(350);
        assertThat(provider.next(0)).as("the patience spent: on to the others").isIn(A, C);
        provider.onConnected();
        assertThat(provider.next(0)).as("a new disconnect: patience again").isEqualTo(B);
        assertThat(provider.next(0)).isEqualTo(B);
    }

    @Test
    void beforeTheFirstConnectionThePatienceIsLonger() throws Exception {
        LocalFirstHostProvider provider = new LocalFirstHostProvider(List.of(A, B, C), only("10.77.0.1"), s -> true, 0, 300);
        assertThat(List.of(provider.next(0), provider.next(0), provider.next(0))).as("no session at stake yet").containsOnly(A);
        Thread.sleep(350);
        assertThat(provider.next(0)).isIn(B, C);
    }

    @Test
    void aServerOnThisHostThatDoesNotListenIsLeftAtOnce() {
        LocalFirstHostProvider provider = new LocalFirstHostProvider(List.of(A, B, C), only("10.77.0.2"), s -> false, 60_000, 60_000);
        assertThat(provider.next(0)).isEqualTo(B);
        assertThat(provider.next(0)).as("its node is down").isIn(A, C);
    }

    @Test
    void theProbeTellsAListeningPortFromAClosedOne() throws Exception {
        try (java.net.ServerSocket open = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress listening = new InetSocketAddress(InetAddress.getLoopbackAddress(), open.getLocalPort());
            assertThat(LocalFirstHostProvider.listens(listening)).isTrue();
        }
        int closedPort;
        try (java.net.ServerSocket gone = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
        assertThat(LocalFirstHostProvider.listens(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort))).isFalse();
    }

    @Test
    void aFullRoundWithoutAConnectionWaitsTheSpinDelayBeforeTheNext() {
        LocalFirstHostProvider provider = new LocalFirstHostProvider(List.of(A, B), only("10.77.0.1"));
        long started = System.nanoTime();
        List<InetSocketAddress> tried = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tried.add(provider.next(200));
        }
        assertThat(tried).containsExactly(A, B, A);
        assertThat((System.nanoTime() - started) / 1_000_000).as("one wait, before the second round").isGreaterThanOrEqualTo(190);
    }

    @Test
    void aNewServerListNeverAsksTheClientToMoveButIsUsedOnTheNextAttempt() {
        LocalFirstHostProvider provider = new LocalFirstHostProvider(List.of(A, B), only("10.77.0.3"));
        boolean reconnect = provider.updateServerList(List.of(A, B, C), A);
        assertThat(reconnect).as("a move is a disconnect, which fences a leading agent").isFalse();
        assertThat(provider.size()).isEqualTo(3);
        assertThat(provider.order().get(0)).isEqualTo(C);
    }

    @Test
    void loopbackCountsAsThisHostAndAnUnknownNameAsRemote() throws Exception {
        assertThat(LocalFirstHostProvider.isThisHost(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(LocalFirstHostProvider.isThisHost(InetAddress.getByName("192.0.2.1"))).as("TEST-NET-1").isFalse();
        LocalFirstHostProvider provider = new LocalFirstHostProvider(
                List.of(InetSocketAddress.createUnresolved("no-such-host.invalid", 2181), server("127.0.0.1")));
        assertThat(provider.next(0).getHostString()).isEqualTo("127.0.0.1");
    }

    @Test
    void anEmptyListIsRefused() {
        assertThatThrownBy(() -> new LocalFirstHostProvider(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static InetSocketAddress server(String ip) {
        return new InetSocketAddress(ip, 2181);
    }

    private static java.util.function.Predicate<InetAddress> only(String ip) {
        return a -> a.getHostAddress().equals(ip);
    }
}
