package dev.pgfly.cli.api;

/** What {@code pgfly create} asks the daemon for. Zero or null means "the default". */
public record CreateRequest(String name, String config, String region, int members, boolean synchronous,
                            int port, String pgBin) {
}
