package dev.pgfly.cli.api;

/** What {@code pgfly create} asks the daemon for. Zero or null means "the default". */
public record CreateRequest(String name, String config, String region, int members, boolean synchronous,
                            int port, String pgBin, long idleTimeoutSeconds) {

    /** A cluster that does not scale to zero. */
    public CreateRequest(String name, String config, String region, int members, boolean synchronous, int port,
                         String pgBin) {
        this(name, config, region, members, synchronous, port, pgBin, 0);
    }
}
