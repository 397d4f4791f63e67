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
     * ZooKeeper's own nodes that every client could write to: {@code /zookeeper} and the quota tree.
     * ({@code /zookeeper/config} is read-only for everyone already, and only a reconfiguration, which
     * the embedded server does not allow, writes it.)
     */
    static final List<String> SERVER_NODES = List.of("/", "/zookeeper", "/zookeeper/quota");

    /**
     * In an ensemble pgfly owns (the daemon's embedded server): anyone may read the root and ZooKeeper's
     * own nodes, only pgfly may create or delete anything there. Before this, anonymous clients could
     * store data under {@code /zookeeper} and {@code /zookeeper/quota} and so fill the daemon's memory
     * (issue 18, hole 7). Nodes they left there, and at the top level beside {@code keep}, are removed:
     * they would stay in memory and on disk for ever. Returns the number of nodes removed.
     *
     * @param keep the top-level node pgfly's clusters live under (the store's root, e.g. {@code /pgfly})
     */
    public static int secureServerRoot(CuratorFramework client, StoreCredentials credentials, String keep)
            throws Exception {
        List<ACL> acl = serverAcl(credentials);
        for (String node : SERVER_NODES) {
            if (!client.getACL().forPath(node).equals(acl)) {
                client.setACL().withACL(acl).forPath(node);
            }
        }
        String top = keep.substring(1).split("/")[0];
        int removed = 0;
        for (String child : client.getChildren().forPath("/")) {
            if (!child.equals("zookeeper") && !child.equals(top)) {
                removed += removeStray(client, "/" + child);
            }
        }
        for (String child : client.getChildren().forPath("/zookeeper/quota")) {
            // pgfly sets no quotas: everything here was left by someone else
            removed += removeStray(client, "/zookeeper/quota/" + child);
        }
        log.debug("root of the embedded store secured for {}", new Id(StoreCredentials.SCHEME, credentials.user()));
        return removed;
    }

    /** All rights for pgfly, reading for anyone. */
    static List<ACL> serverAcl(StoreCredentials credentials) {
        List<ACL> acl = new ArrayList<>(credentials.acl());
        acl.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        return acl;
    }

    /**
     * Deletes a node and what is below it. Deleting a node needs the right on its parent; one that
     * has children of its own and an ACL that shuts pgfly out stays (and is reported).
     */
    private static int removeStray(CuratorFramework client, String path) {
        try {
            int removed = 0;
            for (String child : client.getChildren().forPath(path)) {
                removed += removeStray(client, path + "/" + child);
            }
            client.delete().forPath(path);
            log.warn("removed {} from the coordination store: pgfly did not create it", path);
            return removed + 1;
        } catch (KeeperException.NoNodeException e) {
            return 0;
        } catch (Exception e) {
            log.warn("cannot remove {} from the coordination store: {}", path, e.toString());
            return 0;
        }
    }
}
