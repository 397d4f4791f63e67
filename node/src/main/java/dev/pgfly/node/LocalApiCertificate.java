package dev.pgfly.node;

import dev.pgfly.core.tls.ClusterCa;
import dev.pgfly.core.tls.MemberCertificate;
import dev.pgfly.core.tls.NodeApiTls;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.home.PgflyHome;
import java.io.IOException;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The local API's TLS identity: a CA and a 127.0.0.1 certificate made at each daemon start, whose keys
 * live only in the daemon's memory. The CA's certificate goes to {@code daemon/api.crt}, in the daemon's
 * 0700 directory beside the token, and the CLI trusts nothing else.
 *
 * <p>Why: the CLI finds the daemon by the port in {@code daemon.json}. Checking who listens there before
 * connecting leaves a window in which a daemon that stops frees the port and another local user binds
 * it (a review's attacker did, and root's CLI sent it the token). Over TLS the token leaves only after
 * the server has proved it holds a key that never left this daemon, so a squatter sees a handshake it
 * cannot finish and never the token.
 */
final class LocalApiCertificate {
    private LocalApiCertificate() {
    }

    /** Makes the identity, publishes its CA certificate and returns the server's TLS context. */
    static SSLContext create(PgflyHome home) throws IOException {
        ClusterCa ca = ClusterCa.generate("daemon " + ProcessHandle.current().pid());
        MemberCertificate server = ca.issue("pgfly daemon", List.of("127.0.0.1"));
        Secrets.writePrivate(home.apiCertificateFile(), ca.certificatePem());
        return NodeApiTls.server(server.certificatePem() + server.keyPem(), ca.certificatePem());
    }
}
