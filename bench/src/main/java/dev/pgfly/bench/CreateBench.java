package dev.pgfly.bench;

import dev.pgfly.testkit.Pgfly;

import java.util.ArrayList;
import java.util.List;

/**
 * Times {@code pgfly create} end to end, as a user runs it (the CLI returns once the cluster answers
 * through the proxy): a dev cluster with the daemon not yet running (cold), a dev cluster with it
 * running (warm), and a three-member HA cluster. Prints median and max over N runs.
 *
 * <p>usage: CreateBench [runs]
 */
public final class CreateBench {
    private CreateBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<Long> cold = new ArrayList<>();
        List<Long> warm = new ArrayList<>();
        List<Long> ha = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            try (Pgfly pgfly = new Pgfly()) {
                cold.add(timed(() -> pgfly.ok("create", "cold")));
                warm.add(timed(() -> pgfly.ok("create", "warm")));
                ha.add(timed(() -> pgfly.ok("create", "ha", "--config", "ha")));
                System.out.printf("run %d: dev cold %d ms, dev warm %d ms, ha %d ms%n", run, cold.getLast(),
                        warm.getLast(), ha.getLast());
            }
        }
        System.out.printf("%ncreate bench (%d runs)%n", runs);
        System.out.printf("  dev, daemon not running: median %d ms, max %d ms%n", FailoverBench.median(cold), FailoverBench.max(cold));
        System.out.printf("  dev, daemon running:     median %d ms, max %d ms%n", FailoverBench.median(warm), FailoverBench.max(warm));
        System.out.printf("  ha (3 members):          median %d ms, max %d ms%n", FailoverBench.median(ha), FailoverBench.max(ha));
    }

    private static long timed(Runnable action) {
        long started = System.nanoTime();
        action.run();
        return (System.nanoTime() - started) / 1_000_000;
    }
}
