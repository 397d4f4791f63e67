package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.home.LocalCluster;

import java.nio.file.Path;
import java.util.Optional;

/** Waits, after a create, start or member add, until the cluster (or the new member) serves. */
final class Readiness {
    static final long READY_TIMEOUT_MILLIS = 120_000;

    private final ClusterStores stores;
    private final ClusterViews views;
    private final ClientAccess access;

    Readiness(ClusterStores stores, ClusterViews views, ClientAccess access) {
        this.stores = stores;
        this.views = views;
        this.access = access;
    }

    void awaitReady(LocalCluster cluster, long timeoutMillis, Path logs) throws Exception {
        String name = cluster.spec().name();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        String last = "starting";
        while (System.currentTimeMillis() < deadline) {
            ClusterView v = views.view(cluster);
            last = v.members().stream().map(m -> m.name() + ": " + m.state()).reduce((a, b) -> a + ", " + b).orElse("");
            if ("running".equals(v.state()) && access.queryThroughProxy(cluster)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("cluster '" + name + "' did not become ready within "
                + timeoutMillis / 1000 + " s (" + last + "); see the logs under " + logs);
    }

    void awaitMemberStreaming(String name, String member, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        try (ClusterStore store = stores.open(name)) {
            while (System.currentTimeMillis() < deadline) {
                Optional<MemberStatus> s = store.members().stream().filter(m -> m.name().equals(member)).findFirst();
                if (s.isPresent() && s.get().streaming() && s.get().state().isRunning()) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("member " + member + " did not start streaming within " + timeoutMillis / 1000 + " s");
    }
}
