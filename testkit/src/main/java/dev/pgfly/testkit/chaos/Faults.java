package dev.pgfly.testkit.chaos;

import dev.pgfly.testkit.Partition;
import dev.pgfly.testkit.Pgfly;

import static dev.pgfly.testkit.Processes.kill;
import static dev.pgfly.testkit.Processes.signal;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** Injects one scheduled fault into a live cluster and returns what heals it. */
final class Faults {
    static final long PAUSE_MILLIS = 8_000;
    static final long PARTITION_MILLIS = 10_000;

    interface Heal {
        void run() throws Exception;
    }

    private final Pgfly pgfly;
    private final String cluster;
    private int partitions;

    Faults(Pgfly pgfly, String cluster) {
        this.pgfly = pgfly;
        this.cluster = cluster;
    }

    /** The member a fault's role points at, in the current status. */
    static JsonNode target(JsonNode status, FaultSchedule.Fault fault) {
        String leader = status.get("leader").asString();
        List<JsonNode> replicas = new ArrayList<>();
        JsonNode primary = null;
        for (JsonNode m : status.get("members")) {
            if (m.get("name").asString().equals(leader)) {
                primary = m;
            } else {
                replicas.add(m);
            }
        }
        replicas.sort(java.util.Comparator.comparing(m -> m.get("name").asString()));
        if (fault.onPrimary() || replicas.isEmpty()) {
            return primary;
        }
        return replicas.get(fault.replica() % replicas.size());
    }

    /** Starts the fault; the returned action ends it (a no-op for kills: the platform restarts processes). */
    Heal inject(FaultSchedule.Fault fault, JsonNode member) throws Exception {
        String name = member.get("name").asString();
        long agent = member.get("agent_pid").asLong();
        long postgres = member.path("postgres_pid").asLong(0);
        String host = member.get("host").asString();
        switch (fault.kind()) {
            case KILL_POSTGRES -> kill(postgres);
            case KILL_AGENT -> kill(agent);
            case KILL_BOTH -> {
                kill(agent);
                kill(postgres);
            }
            case PAUSE_AGENT -> {
                return pause(agent);
            }
            case PAUSE_POSTGRES -> {
                return pause(postgres);
            }
            case PARTITION, PARTITION_FROM_ZOOKEEPER -> {
                Partition p = new Partition("chaos" + (partitions++));
                if (fault.kind() == FaultSchedule.Kind.PARTITION) {
                    p.isolate(host);
                } else {
                    p.isolateFromZooKeeper(host, "127.0.0.1", zkPort());
                }
                return () -> {
                    Thread.sleep(PARTITION_MILLIS);
                    p.heal();
                };
            }
            case SWITCHOVER -> pgfly.ok("failover", cluster);
            case ZOOKEEPER_RESTART -> pgfly.ok("daemon", "restart-zookeeper", "--down", fault.downMillis() + "ms");
            case REMOVE_AND_ADD -> {
                pgfly.ok("member", "remove", cluster, name);
                pgfly.ok("member", "add", cluster);
            }
        }
        return () -> { };
    }

    private int zkPort() throws IOException {
        return dev.pgfly.core.util.Json.MAPPER.readTree(Files.readString(pgfly.home().resolve("daemon/daemon.json")))
                .get("zk_port").asInt();
    }

    static Heal pause(long pid) throws IOException, InterruptedException {
        if (pid <= 0) {
            return () -> { };
        }
        signal("STOP", pid);
        return () -> {
            try {
                Thread.sleep(PAUSE_MILLIS);
            } finally {
                signal("CONT", pid);
            }
        };
    }
}
