package dev.pgfly.cli.commands;

/** The systemd unit of a node: the node runs in the foreground, and systemd restarts it if it dies. */
final class SystemdUnit {
    private SystemdUnit() {
    }

    static String render(String bin, String home, String config) {
        return """
                [Unit]
                Description=pgfly node (PostgreSQL clusters of this host)
                After=network-online.target
                Wants=network-online.target

                [Service]
                Type=simple
                Environment=PGFLY_HOME=%s
                ExecStart=%s node run --config %s
                Restart=on-failure
                RestartSec=2
                # The node stops its members in a safe order: give it time.
                TimeoutStopSec=200
                KillMode=mixed
                LimitNOFILE=65536

                [Install]
                WantedBy=multi-user.target
                """.formatted(home, bin, config);
    }
}
