package dev.pgfly.node;

/** {@code daemon.json}: how the CLI finds a running daemon. */
public record DaemonInfo(long pid, int port, int zkPort, String dcs) {
}
