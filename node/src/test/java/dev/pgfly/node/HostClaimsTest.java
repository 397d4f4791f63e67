package dev.pgfly.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class HostClaimsTest {
    private static final HostClaims.PortCheck ALL_FREE = (host, port) -> true;

    @TempDir
    Path tmp;

    private HostClaims claims(Path home) throws Exception {
        Files.createDirectories(home);
        return new HostClaims(tmp.resolve("claims"), home, Clock.systemUTC());
    }

    @Test
    void aPortAnotherHomeChoseButHasNotBoundYetIsNotChosenAgain() throws Exception {
        HostClaims a = claims(tmp.resolve("a"));
        HostClaims b = claims(tmp.resolve("b"));
        int first = a.claimFree("127.0.0.1", 16432, 2, 2, Set.of(), ALL_FREE);
        int second = b.claimFree("127.0.0.1", 16432, 2, 2, Set.of(), ALL_FREE);
        assertThat(first).isEqualTo(16432);
        assertThat(second).as("the pair after a's").isEqualTo(16434);
        assertThat(b.tryClaim("127.0.0.1", 16433, 1, Set.of(), ALL_FREE)).as("a's replica port").isFalse();
        assertThat(a.tryClaim("127.0.0.1", 16432, 2, Set.of(), ALL_FREE)).as("a's own claim").isTrue();
    }

    @Test
    void aBoundPortOrOneTheCallerTakesIsSkipped() throws Exception {
        HostClaims a = claims(tmp.resolve("a"));
        HostClaims.PortCheck firstBound = (host, port) -> port != 12181;
        assertThat(a.claimFree("127.0.0.1", 12181, 1, 1, Set.of(), firstBound)).isEqualTo(12182);
        assertThat(a.claimFree("127.0.0.1", 19432, 1, 1, Set.of(19432, 19433), ALL_FREE)).isEqualTo(19434);
    }

    @Test
    void aPortClaimLapsesAfterItsTimeOrWithItsHome() throws Exception {
        Path homeA = tmp.resolve("a");
        HostClaims a = claims(homeA);
        HostClaims b = claims(tmp.resolve("b"));
        a.claimFree("127.0.0.1", 16432, 2, 2, Set.of(), ALL_FREE);
        HostClaims bLater = new HostClaims(tmp.resolve("claims"), tmp.resolve("b"),
                Clock.fixed(Instant.now().plus(HostClaims.PORT_CLAIM_TTL).plusSeconds(1), java.time.ZoneOffset.UTC));
        assertThat(bLater.tryClaim("127.0.0.1", 16432, 2, Set.of(), ALL_FREE)).as("after the claim's time").isTrue();

        HostClaims c = claims(tmp.resolve("c"));
        c.claimFree("127.0.0.1", 17000, 1, 1, Set.of(), ALL_FREE);
        assertThat(b.tryClaim("127.0.0.1", 17000, 1, Set.of(), ALL_FREE)).isFalse();
        Files.delete(tmp.resolve("c"));
        assertThat(b.tryClaim("127.0.0.1", 17000, 1, Set.of(), ALL_FREE)).as("its home is gone").isTrue();
    }

    @Test
    void anAddressBlockIsAHomesForAsLongAsTheHomeExists() throws Exception {
        Path homeA = tmp.resolve("a");
        Path homeB = tmp.resolve("b");
        HostClaims a = claims(homeA);
        HostClaims b = claims(homeB);
        int blockA = a.addressBlock(homeA.resolve("address-block"), 57);
        int blockB = b.addressBlock(homeB.resolve("address-block"), 57);
        assertThat(blockA).isEqualTo(57);
        assertThat(blockB).as("the same hash, another block").isEqualTo(58);

        // Long after, and after a restart of a's daemon: still a's, and a keeps the one it recorded.
        Files.setLastModifiedTime(tmp.resolve("claims/block-57"), FileTime.from(Instant.now().minus(Duration.ofDays(30))));
        HostClaims c = claims(tmp.resolve("c"));
        assertThat(c.addressBlock(tmp.resolve("c/address-block"), 57)).isEqualTo(59);
        assertThat(a.addressBlock(homeA.resolve("address-block"), 99)).isEqualTo(57);

        // The last block wraps around to the first.
        HostClaims d = claims(tmp.resolve("d"));
        int last = HostClaims.FIRST_BLOCK + HostClaims.BLOCKS - 1;
        assertThat(d.addressBlock(tmp.resolve("d/address-block"), last)).isEqualTo(last);
        HostClaims e = claims(tmp.resolve("e"));
        assertThat(e.addressBlock(tmp.resolve("e/address-block"), last)).isEqualTo(HostClaims.FIRST_BLOCK);
    }

    @Test
    void daemonsChoosingAtTheSameMomentGetDifferentPorts() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> chosen = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                HostClaims home = claims(tmp.resolve("home" + i));
                Callable<Integer> choose = () -> home.claimFree("127.0.0.1", 16432, 2, 2, Set.of(), ALL_FREE);
                chosen.add(pool.submit(choose));
            }
            Set<Integer> ports = new HashSet<>();
            for (Future<Integer> f : chosen) {
                ports.add(f.get());
            }
            assertThat(ports).hasSize(16);
        } finally {
            pool.shutdownNow();
        }
    }
}
