package dev.pgfly.cli.api;

/** One member in {@code status}: the configuration joined with what its agent last published. */
public record MemberView(String name, String role, String state, String region, String host, int port,
                         Long agentPid, Long postgresPid, String api, String lsn, int timeline,
                         long lagBytes, double lagSeconds, boolean synchronous, boolean streaming,
                         String upstream, String proxy) {

    /** {@code proxy}: the replica port of the proxy that serves this member's region. */
    public MemberView(String name, String role, String state, String region, String host, int port,
                      Long agentPid, Long postgresPid, String api, String lsn, int timeline,
                      long lagBytes, double lagSeconds, boolean synchronous, boolean streaming, String upstream) {
        this(name, role, state, region, host, port, agentPid, postgresPid, api, lsn, timeline, lagBytes, lagSeconds,
                synchronous, streaming, upstream, null);
    }
}
