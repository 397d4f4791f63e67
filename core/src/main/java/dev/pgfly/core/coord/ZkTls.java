package dev.pgfly.core.coord;

import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

import java.nio.file.Path;

/**
 * How a process of an installation of several hosts reaches ZooKeeper: over TLS (mutual: the peers ask for a
 * client certificate), trusting only the installation's CA. Both files are PEM, the forms ZooKeeper reads
 * without a Java key store or a password:
 *
 * @param trustStore the installation CA's certificate
 * @param keyStore   this host's private key and certificate in one file (0600), issued by that CA for the
 *                   host's address; the node, its agents and proxies all present it
 */
public record ZkTls(Path trustStore, Path keyStore) {
    /** The names of the two files in a directory given on a command line ({@code --dcs-tls DIR}). */
    public static final String CA_FILE = "ca.crt";
    public static final String KEY_AND_CERTIFICATE_FILE = "node.pem";
    /** ZooKeeper's name for PEM files as key and trust stores. */
    public static final String PEM = "PEM";

    public ZkTls {
        if (trustStore == null || keyStore == null) {
            throw new IllegalArgumentException("TLS to the store needs the CA's certificate and a key with its certificate");
        }
        trustStore = trustStore.toAbsolutePath();
        keyStore = keyStore.toAbsolutePath();
    }

    /** The files {@link #CA_FILE} and {@link #KEY_AND_CERTIFICATE_FILE} in {@code dir}. */
    public static ZkTls in(Path dir) {
        return new ZkTls(dir.resolve(CA_FILE), dir.resolve(KEY_AND_CERTIFICATE_FILE));
    }

    /** The directory that holds both files, as {@code --dcs-tls} takes it (children get the node's files). */
    public Path directory() {
        if (!trustStore.getParent().equals(keyStore.getParent())
                || !trustStore.getFileName().toString().equals(CA_FILE)
                || !keyStore.getFileName().toString().equals(KEY_AND_CERTIFICATE_FILE)) {
            throw new IllegalStateException("the store's TLS files are not " + CA_FILE + " and " + KEY_AND_CERTIFICATE_FILE
                    + " of one directory: " + this);
        }
        return trustStore.getParent();
    }

    /**
     * Turns TLS on for one client: Netty's socket (ZooKeeper's NIO socket has no TLS), these files, and the
     * server's certificate checked against the address dialled (each peer's names its own address).
     */
    public void applyTo(ZKClientConfig config) {
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, ClientCnxnSocketNetty.class.getName());
        try (ClientX509Util x509 = new ClientX509Util()) {
            config.setProperty(x509.getSslTruststoreLocationProperty(), trustStore.toString());
            config.setProperty(x509.getSslTruststoreTypeProperty(), PEM);
            config.setProperty(x509.getSslKeystoreLocationProperty(), keyStore.toString());
            config.setProperty(x509.getSslKeystoreTypeProperty(), PEM);
            config.setProperty(x509.getSslHostnameVerificationEnabledProperty(), "true");
        }
    }
}
