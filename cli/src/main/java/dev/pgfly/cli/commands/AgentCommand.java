package dev.pgfly.cli.commands;

import dev.pgfly.agent.Agent;
import dev.pgfly.agent.AgentConfig;
import dev.pgfly.agent.AgentLogging;
import dev.pgfly.core.coord.DcsAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the agent of one member: owns its PostgreSQL and takes part in leader election.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--cluster", required = true)
    String cluster;

    @Option(names = "--member", required = true)
    String member;

    @Option(names = "--dcs", required = true, description = "Coordination store, e.g. zk://h1:2181,h2:2181/pgfly")
    String dcs;

    @Option(names = "--member-dir", required = true, description = "Directory for this member's data and files")
    Path memberDir;

    @Option(names = "--secrets", required = true, description = "Directory with the cluster's secret files")
    Path secrets;

    @Option(names = "--dcs-auth", description = "File with the coordination store's credentials (user:password,"
            + " mode 0600); default: zk.auth in the secrets directory, when there is one")
    Path dcsAuth;

    @Option(names = "--dcs-tls", description = "Directory with the store's TLS files (ca.crt, node.pem):"
            + " the installation's embedded peers speak TLS only. Omitted: plain text")
    Path dcsTls;

    @Option(names = "--host", description = "This member's address (also the source address towards the store)")
    String host;

    @Option(names = "--pg-bin", description = "Directory with the PostgreSQL server binaries")
    String pgBin;

    @Option(names = "--session-timeout-ms", defaultValue = "5000")
    long sessionTimeoutMs;

    @Option(names = "--lease-ms", defaultValue = "2000", description = "Watchdog lease; must be well below the session timeout")
    long leaseMs;

    @Override
    public Integer call() throws Exception {
        if (leaseMs * 2 > sessionTimeoutMs) {
            throw new IllegalArgumentException("--lease-ms must be at most half of --session-timeout-ms");
        }
        AgentConfig config = new AgentConfig(cluster, member, DcsAddress.parse(dcs), memberDir, secrets, pgBin,
                Duration.ofMillis(sessionTimeoutMs), Duration.ofMillis(leaseMs), AgentConfig.DEFAULT_LOOP_INTERVAL, dcsAuth, dcsTls);
        AgentLogging.toMemberDir(memberDir);
        Agent agent = Agent.start(config, host);
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-shutdown"));
        agent.awaitStop();
        return 0;
    }
}
