package dev.pgfly.node.api;

/**
 * One member in {@code status}: the configuration joined with what its agent last published.
 * {@code proxy} is where clients reach this member: the primary port for the primary, else the replica
 * port of the proxy that serves the member's region. {@code checks} is
 * the worst of its health checks (passing, warning, critical), filled in by the CLI from the agent's
 * {@code /checks}; null when not asked. {@code state} is the member's named state (a lower-case label, or
 * {@code down}/{@code stopped} when its agent is not running), {@code detail} the agent's sentence about it,
 * {@code tags} the member's tags that differ from a plain member's ({@link dev.pgfly.core.model.MemberSpec#tags()}).
 */
public record MemberView(String name, String role, String state, String region, String host, int port,
                         Long agentPid, Long postgresPid, String api, String lsn, int timeline,
                         long lagBytes, double lagSeconds, boolean synchronous, boolean streaming,
                         String upstream, String proxy, String checks, String detail, String node, String tags) {

    public MemberView(String name, String role, String state, String region, String host, int port,
                      Long agentPid, Long postgresPid, String api, String lsn, int timeline,
                      long lagBytes, double lagSeconds, boolean synchronous, boolean streaming, String upstream,
                      String proxy, String checks, String detail, String node) {
        this(name, role, state, region, host, port, agentPid, postgresPid, api, lsn, timeline, lagBytes, lagSeconds,
                synchronous, streaming, upstream, proxy, checks, detail, node, null);
    }

    public MemberView(String name, String role, String state, String region, String host, int port,
                      Long agentPid, Long postgresPid, String api, String lsn, int timeline,
                      long lagBytes, double lagSeconds, boolean synchronous, boolean streaming, String upstream,
                      String proxy, String checks, String detail) {
        this(name, role, state, region, host, port, agentPid, postgresPid, api, lsn, timeline, lagBytes, lagSeconds,
                synchronous, streaming, upstream, proxy, checks, detail, null);
    }

    /** The same member, reached through {@code proxyAddress} (null: unchanged). */
    public MemberView servedBy(String proxyAddress) {
        return proxyAddress == null ? this : new MemberView(name, role, state, region, host, port, agentPid, postgresPid, api,
                lsn, timeline, lagBytes, lagSeconds, synchronous, streaming, upstream, proxyAddress, checks, detail, node, tags);
    }

    /** The same member, shown with the node that runs it. */
    public MemberView onNode(String nodeName) {
        return new MemberView(name, role, state, region, host, port, agentPid, postgresPid, api, lsn, timeline,
                lagBytes, lagSeconds, synchronous, streaming, upstream, proxy, checks, detail, nodeName, tags);
    }

    public MemberView(String name, String role, String state, String region, String host, int port,
                      Long agentPid, Long postgresPid, String api, String lsn, int timeline,
                      long lagBytes, double lagSeconds, boolean synchronous, boolean streaming, String upstream,
                      String proxy, String detail) {
        this(name, role, state, region, host, port, agentPid, postgresPid, api, lsn, timeline, lagBytes, lagSeconds,
                synchronous, streaming, upstream, proxy, null, detail);
    }

    public MemberView withChecks(String worst) {
        return new MemberView(name, role, state, region, host, port, agentPid, postgresPid, api, lsn, timeline,
                lagBytes, lagSeconds, synchronous, streaming, upstream, proxy, worst, detail, node, tags);
    }

    /** The same member with its tags ({@code nofailover,nosync,priority=N}; null or empty when none). */
    public MemberView tagged(String memberTags) {
        return new MemberView(name, role, state, region, host, port, agentPid, postgresPid, api, lsn, timeline,
                lagBytes, lagSeconds, synchronous, streaming, upstream, proxy, checks, detail, node,
                memberTags == null || memberTags.isEmpty() ? null : memberTags);
    }

    /** The state with the sentence that explains it, for people ({@code idle: stopped after 300 s without clients}). */
    public String stateWithDetail() {
        return detail == null || detail.isBlank() ? state : state + ": " + detail;
    }
}
