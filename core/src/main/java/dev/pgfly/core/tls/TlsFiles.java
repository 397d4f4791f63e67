package dev.pgfly.core.tls;

import java.nio.file.Path;

/**
 * Where a cluster's TLS material lives in its secrets directory (0700, files 0600): the CA's
 * certificate and key, and each member's certificate and key. The daemon writes them; an agent reads
 * its own member's and the CA's certificate, never the CA's key, and installs copies for PostgreSQL.
 */
public final class TlsFiles {
    private TlsFiles() {
    }

    public static Path caCertificate(Path secretsDir) {
        return secretsDir.resolve("tls-ca.crt");
    }

    public static Path caKey(Path secretsDir) {
        return secretsDir.resolve("tls-ca.key");
    }

    public static Path memberCertificate(Path secretsDir, String member) {
        return secretsDir.resolve("tls-" + member + ".crt");
    }

    public static Path memberKey(Path secretsDir, String member) {
        return secretsDir.resolve("tls-" + member + ".key");
    }
}
