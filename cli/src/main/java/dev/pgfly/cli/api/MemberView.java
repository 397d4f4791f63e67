package dev.pgfly.cli.api;

/** One member in {@code status}: the configuration joined with what its agent last published. */
public record MemberView(String name, String role, String state, String region, String host, int port,
                         Long agentPid, Long postgresPid, String api, String lsn, int timeline,
                         long lagBytes, double lagSeconds, boolean synchronous, boolean streaming,
                         String upstream) {
}
