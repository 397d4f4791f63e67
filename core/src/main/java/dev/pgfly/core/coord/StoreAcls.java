package dev.pgfly.core.coord;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** The ACLs of pgfly's nodes: every node created through a client gets them from {@link #provider}. */
public final class StoreAcls {
    private static final Logger log = LoggerFactory.getLogger(StoreAcls.class);

    private StoreAcls() {
    }

    public static ACLProvider provider(StoreCredentials credentials) {
        List<ACL> acl = credentials.acl();
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        };
    }

    /**
     * Puts the credentials' ACL on {@code root} and every node below it that anyone else could touch:
     * nodes created before pgfly used ACLs (or by a client without credentials) are closed. The client
     * must be authenticated with the credentials. Returns the number of nodes changed.
     */
    public static int secureTree(CuratorFramework client, String root, StoreCredentials credentials) throws Exception {
        if (client.checkExists().forPath(root) == null) {
            client.create().creatingParentsIfNeeded().forPath(root);
        }
        return secure(client, root, credentials.acl());
    }

    private static int secure(CuratorFramework client, String path, List<ACL> acl) throws Exception {
        int changed = 0;
        try {
            if (!client.getACL().forPath(path).equals(acl)) {
                client.setACL().withACL(acl).forPath(path);
                changed++;
            }
            for (String child : client.getChildren().forPath(path)) {
                changed += secure(client, path + "/" + child, acl);
            }
        } catch (KeeperException.NoNodeException e) {
            // an ephemeral node went away while we walked: nothing to secure
        }
        return changed;
    }

    /**
     * In an ensemble pgfly owns (the daemon's embedded server): anyone may read the root, only pgfly
     * may create or delete top-level nodes, so nobody else can take the root path before pgfly does.
     */
    public static void secureServerRoot(CuratorFramework client, StoreCredentials credentials) throws Exception {
        List<ACL> acl = new ArrayList<>(credentials.acl());
        acl.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        client.setACL().withACL(acl).forPath("/");
        log.debug("root of the embedded store secured for {}", new Id(StoreCredentials.SCHEME, credentials.user()));
    }
}
