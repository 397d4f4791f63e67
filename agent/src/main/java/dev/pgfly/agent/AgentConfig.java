package dev.pgfly.agent;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.coord.ZkTls;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How one agent is started. Everything else (addresses, regions, settings) comes from the cluster
 * configuration in the coordination store, so that every member acts on the same view.
 */
public record AgentConfig(
        String cluster,
        String member,
        DcsAddress dcs,
        Path memberDir,
        Path secretsDir,
        String pgBin,
        Duration sessionTimeout,
        Duration lease,
        Duration loopInterval,
        Path dcsAuth,
        Path dcsTls) {

    public static final Duration DEFAULT_LEASE = Duration.ofMillis(2000);
    public static final Duration DEFAULT_LOOP_INTERVAL = Duration.ofMillis(1000);
    /** The store credentials' file in the secrets directory, used when no other is given. */
    public static final String DCS_AUTH_FILE = "zk.auth";

    /** TLS to the store with the files in {@code dcsTls} (ZkTls.in), or null: plain text. */
    public ZkTls storeTls() {
        return dcsTls == null ? null : ZkTls.in(dcsTls);
    }

    /** The file with the coordination store's credentials, or null when there is none (anonymous). */
    public Path storeCredentialsFile() {
        if (dcsAuth != null) {
            return dcsAuth;
        }
        Path inSecrets = secretsDir.resolve(DCS_AUTH_FILE);
        return java.nio.file.Files.exists(inSecrets) ? inSecrets : null;
    }
}
