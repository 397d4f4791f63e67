package dev.pgfly.cli.api;

/**
 * One member in {@code status}: the configuration joined with what its agent last published.
 * {@code proxy} is the replica port of the proxy that serves this member's region. {@code checks} is
 * the worst of its health checks (passing, warning, critical), filled in by the CLI from the agent's
 * {@code /checks}; null when not asked.
 */
public record MemberView(String name, String role, String state, String region, String host, int port,
                         Long agentPid, Long postgresPid, String api, String lsn, int timeline,
                         long lagBytes, double lagSeconds, boolean synchronous, boolean streaming,
                         String upstream, String proxy, String checks) {

    public MemberView(String name, String role, String state, String region, String host, int port,
                      Long agentPid, Long postgresPid, String api, String lsn, int timeline,
                      long lagBytes, double lagSeconds, boolean synchronous, boolean streaming, String upstream,
                      String proxy) {
        this(name, role, state, region, host, port, agentPid, postgresPid, api, lsn, timeline, lagBytes, lagSeconds,
                synchronous, streaming, upstream, proxy, null);
    }

    public MemberView withChecks(String worst) {
        return new MemberView(name, role, state, region, host, port, agentPid, postgresPid, api, lsn, timeline,
                lagBytes, lagSeconds, synchronous, streaming, upstream, proxy, worst);
    }
}
