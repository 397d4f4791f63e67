package dev.pgfly.node.api;

/** A log file of a member, for {@code pgfly logs}: {@code source} is "postgres" or "agent". */
public record LogFile(String member, String source, String path) {
}
