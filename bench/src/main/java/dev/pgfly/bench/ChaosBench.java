package dev.pgfly.bench;

import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.chaos.ChaosRun;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A seeded fault campaign against an HA cluster (see {@link ChaosRun}); prints the schedule, every
 * round and a summary line. Exits 1 when a check failed, so that a long run can be scripted.
 *
 * <p>usage: ChaosBench [--seed S] [--rounds N] [--async] [--faults N] [--clients N] [--minutes M]
 */
public final class ChaosBench {
    private static final Set<String> OPTIONS = Set.of("--seed", "--rounds", "--faults", "--clients", "--minutes");

    private ChaosBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        boolean async = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--async")) {
                async = true;
            } else if (OPTIONS.contains(args[i]) && i + 1 < args.length) {
                o.put(args[i].substring(2), args[++i]);
            } else {
                System.err.println("usage: bench/chaos [--seed S] [--rounds N] [--async] [--faults N] [--clients N] [--minutes M]");
                System.exit(2);
            }
        }
        long seed = o.containsKey("seed") ? Long.parseLong(o.get("seed")) : System.nanoTime() % 100_000;
        ChaosRun.Options options = new ChaosRun.Options(seed, Integer.parseInt(o.getOrDefault("rounds", "20")), !async,
                Integer.parseInt(o.getOrDefault("faults", "1")), Integer.parseInt(o.getOrDefault("clients", "3")),
                Integer.parseInt(o.getOrDefault("minutes", "0")));
        ChaosRun.Summary summary;
        try (Pgfly pgfly = new Pgfly()) {
            summary = ChaosRun.run(pgfly, options, System.out);
        }
        System.exit(summary.passed() ? 0 : 1);
    }
}
