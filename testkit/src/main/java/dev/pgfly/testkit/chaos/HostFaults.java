package dev.pgfly.testkit.chaos;

import dev.pgfly.testkit.Pgfly;
import dev.pgfly.testkit.hosts.Host;
import tools.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.pgfly.testkit.Processes.kill;

/**
 * Injects one {@link HostFaultSchedule} fault into an installation of namespace hosts and returns what
 * ends it. Member faults act on process ids (every namespace shares this machine's process-id space);
 * host faults act on the member's host.
 */
final class HostFaults {
    private final HostInstall install;
    private final String cluster;
    private final PrintStream out;

    HostFaults(HostInstall install, String cluster, PrintStream out) {
        this.install = install;
        this.cluster = cluster;
        this.out = out;
    }

    Faults.Heal inject(HostFaultSchedule.Fault fault, JsonNode member) throws Exception {
        int i = HostInstall.hostOf(member);
        Host host = install.host(i);
        long agent = member.path("agent_pid").asLong(0);
        long postgres = member.path("postgres_pid").asLong(0);
        switch (fault.kind()) {
            case KILL_POSTGRES -> kill(postgres);
            case KILL_AGENT -> kill(agent);
            case KILL_BOTH -> {
                kill(agent);
                kill(postgres);
            }
            case PAUSE_AGENT -> {
                return Faults.pause(agent);
            }
            case PAUSE_POSTGRES -> {
                return Faults.pause(postgres);
            }
            case SWITCHOVER -> install.node(i).ok("failover", cluster);
            case HOST_CRASH, VOTER_CRASH -> {
                install.reachable(i, false);
                host.crash();
                return () -> {
                    Thread.sleep(fault.millis());
                    restartNode(i);
                    install.reachable(i, true);
                };
            }
            case HOST_CUT -> {
                install.reachable(i, false);
                host.cut();
                return () -> {
                    Thread.sleep(fault.millis());
                    host.heal();
                    install.reachable(i, true);
                };
            }
            case HOST_PARTIAL_CUT -> {
                List<Host> others = others(i);
                for (Host o : others) {
                    host.blockFrom(o);
                }
                return () -> {
                    Thread.sleep(fault.millis());
                    for (Host o : others) {
                        host.unblock(o);
                    }
                };
            }
            case LOSS_INBOUND, LOSS_OUTBOUND -> {
                // One direction only, from and to the other hosts: the bench's clients and probe (from the
                // bridge's address) still reach the host both ways.
                boolean in = fault.kind() == HostFaultSchedule.Kind.LOSS_INBOUND;
                List<List<String>> rules = new ArrayList<>();
                for (Host o : others(i)) {
                    rules.add(in ? List.of("INPUT", "-s", o.address(), "-j", "DROP") : List.of("OUTPUT", "-d", o.address(), "-j", "DROP"));
                }
                for (List<String> rule : rules) {
                    iptables(host, "-I", rule);
                }
                return () -> {
                    Thread.sleep(fault.millis());
                    for (List<String> rule : rules) {
                        iptables(host, "-D", rule);
                    }
                };
            }
            case DISK_FULL -> {
                DataVolumes volumes = install.dataVolumes();
                if (volumes == null) {
                    throw new IllegalStateException("no data volumes mounted: a full disk needs HostInstall.mountDataVolumes");
                }
                return volumes.fill(member.get("name").asString(), fault.millis());
            }
        }
        return () -> { };
    }

    private List<Host> others(int i) {
        List<Host> others = new ArrayList<>();
        for (int j = 1; j <= install.size(); j++) {
            if (j != i) {
                others.add(install.host(j));
            }
        }
        return others;
    }

    private static void iptables(Host host, String action, List<String> rule) {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w", action));
        cmd.addAll(rule);
        Pgfly.Result r = host.run(Duration.ofSeconds(30), Map.of(), cmd.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new IllegalStateException("iptables " + String.join(" ", cmd) + " in " + host.name() + ": " + r.err().strip());
        }
    }

    /**
     * Starts a crashed host's node again, as an operator's reboot would: any CLI command in the host starts
     * it. It may fail while ZooKeeper has no majority (two hosts away); the node is up by then, so a
     * failed listing is reported and not retried.
     */
    private void restartNode(int i) {
        Pgfly.Result r = install.node(i).run("node", "list");
        if (r.exit() != 0) {
            out.printf("  (h%d: `node list` after the restart exited %d: %s)%n", i, r.exit(), r.err().strip());
        }
    }
}
