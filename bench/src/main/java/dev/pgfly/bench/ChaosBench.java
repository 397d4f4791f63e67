package dev.pgfly.bench;

import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.chaos.ChaosRun;
import dev.pgfly.testkit.chaos.HostChaosRun;
import dev.pgfly.testkit.chaos.HostInstall;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A seeded fault campaign against an HA cluster (see {@link ChaosRun}); prints the schedule, every
 * round and a summary line. Exits 1 when a check failed, so that a long run can be scripted. With
 * {@code --hosts N} the cluster spans N network-namespace hosts (see {@link HostChaosRun}; needs root)
 * and the schedule adds host crashes, cuts and one-way losses.
 *
 * <p>usage: ChaosBench [--seed S] [--rounds N] [--async] [--faults N] [--clients N] [--minutes M] [--hosts N]
 */
public final class ChaosBench {
    private static final Set<String> OPTIONS = Set.of("--seed", "--rounds", "--faults", "--clients", "--minutes", "--hosts");

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
                System.err.println("usage: bench/chaos [--seed S] [--rounds N] [--async] [--faults N] [--clients N] [--minutes M]"
                        + " [--hosts N]");
                System.exit(2);
            }
        }
        long seed = o.containsKey("seed") ? Long.parseLong(o.get("seed")) : System.nanoTime() % 100_000;
        ChaosRun.Options options = new ChaosRun.Options(seed, Integer.parseInt(o.getOrDefault("rounds", "20")), !async,
                Integer.parseInt(o.getOrDefault("faults", "1")), Integer.parseInt(o.getOrDefault("clients", "3")),
                Integer.parseInt(o.getOrDefault("minutes", "0")));
        boolean passed;
        if (o.containsKey("hosts")) {
            int hosts = Integer.parseInt(o.get("hosts"));
            if (hosts < 3) {
                System.err.println("bench/chaos: --hosts needs at least 3 hosts (one member on each), not " + hosts);
                System.exit(2);
            }
            try (HostInstall install = HostInstall.start(hosts, System.out)) {
                passed = HostChaosRun.run(install, options, System.out).passed();
            }
        } else {
            try (Pgfly pgfly = new Pgfly()) {
                passed = ChaosRun.run(pgfly, options, System.out).passed();
            }
        }
        System.exit(passed ? 0 : 1);
    }
}
