package dev.pgfly.node.ensemble;

import dev.pgfly.core.coord.StoreCredentials;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.apache.zookeeper.server.auth.ProviderRegistry;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;

/**
 * Makes pgfly's digest identity ZooKeeper's super user in this process's quorum peers, so that it may
 * reconfigure the ensemble: ZooKeeper lets only the super user (or whoever the super user gave write
 * access to {@code /zookeeper/config}) run a reconfig.
 *
 * <p>ZooKeeper's own switch, the system property {@code zookeeper.DigestAuthenticationProvider.superDigest},
 * is read once, when {@link DigestAuthenticationProvider} loads, and pgfly loads that class early (every
 * ACL it writes names a digest). So the peer replaces the server's digest provider with {@link Provider},
 * which authenticates as ZooKeeper's does and adds the super identity for pgfly's credentials. It
 * is installed through ZooKeeper's documented {@code zookeeper.authProvider.<scheme>} property, and
 * registered again if the registry was initialised before.
 *
 * <p>The super user bypasses every ACL: that is no more than pgfly's identity already has on every node
 * it creates, in an ensemble that pgfly runs. A client without the password gains nothing.
 */
final class SuperIdentity {
    static final String PROVIDER_PROPERTY = "zookeeper.authProvider." + StoreCredentials.SCHEME;
    private static final Id SUPER = new Id("super", "");
    /** The digest id ({@code user:base64(sha1)}) that becomes super; one per process. */
    private static volatile String superDigest;

    private SuperIdentity() {
    }

    static synchronized void install(StoreCredentials credentials) {
        String digest = credentials.digestId();
        if (superDigest != null && !superDigest.equals(digest)) {
            throw new IllegalStateException("this process's quorum peers already run for another store identity;"
                    + " one pgfly node has one identity");
        }
        superDigest = digest;
        System.setProperty(PROVIDER_PROPERTY, Provider.class.getName());
        ProviderRegistry.initialize();
        // a registry initialised before the property was set still holds ZooKeeper's own provider
        ProviderRegistry.addOrUpdateProvider(PROVIDER_PROPERTY);
        if (!(ProviderRegistry.getProvider(StoreCredentials.SCHEME) instanceof Provider)) {
            throw new IllegalStateException("cannot install pgfly's digest provider in ZooKeeper's registry");
        }
    }

    /**
     * ZooKeeper's digest provider, plus the super identity for pgfly's credentials. It authenticates as
     * ZooKeeper's does (the identity is the digest of {@code user:password}); it does not call it, as
     * that method's overloads name a servlet class that is not on pgfly's class path. Public: ZooKeeper
     * makes it by reflection.
     */
    public static final class Provider extends DigestAuthenticationProvider {
        @Override
        public KeeperException.Code handleAuthentication(ServerCnxn cnxn, byte[] authData) {
            String digest = digestOf(authData);
            if (digest == null) {
                return KeeperException.Code.AUTHFAILED;
            }
            if (digest.equals(superDigest)) {
                cnxn.addAuthInfo(SUPER);
            }
            cnxn.addAuthInfo(new Id(getScheme(), digest));
            return KeeperException.Code.OK;
        }

        private static String digestOf(byte[] authData) {
            try {
                return generateDigest(new String(authData, StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                return null;
            }
        }
    }
}
