package dev.pgfly.node;

import dev.pgfly.core.coord.DcsAddress;
import dev.pgfly.core.model.Event;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.CreateRequest;
import dev.pgfly.node.api.CreateResult;
import dev.pgfly.node.api.LogFile;
import dev.pgfly.node.api.RestartResult;
import dev.pgfly.node.api.SettingsUpdate;
import dev.pgfly.node.api.SettingsView;
import dev.pgfly.node.backup.ClusterBackups;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.install.Installation;
import dev.pgfly.node.tls.ClusterTls;
import org.apache.curator.framework.CuratorFramework;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The daemon's clusters: creates them (addresses, ports, secrets, configuration), runs their agents
 * and proxies as supervised child processes, and answers for their state. Every operation on one
 * cluster holds that cluster's lock ({@link ClusterLocks}); allocation of addresses and ports holds a
 * global one ({@link Allocation}). This class only wires the parts that do each job and answers for them.
 */
final class ClusterManager implements AutoCloseable {
    private final ClusterRecords records;
    private final Supervision supervision;
    private final ClusterViews views;
    private final ClientAccess access;
    private final Lifecycle lifecycle;
    private final Membership membership;
    private final Maintenance maintenance;
    private final ClusterPauses pauses;
    private final ClusterSchedule schedule;
    private final RegionFailover regionFailover;
    private final ScheduledRunner scheduledRunner;

    private final NodeReconciler reconciler;

    private final ClusterPoolers poolers;
    /** In an installation: this home's one-host clusters taken into the store (see HomeAdoption); else null. */
    private final HomeAdoption adoption;

    ClusterManager(PgflyHome home, CuratorFramework client, DcsAddress dcs, ChildLauncher launcher) {
        this(home, client, dcs, launcher, ThisNode.singleHost(), null);
    }

    /**
     * @param installation the installation's shared records when this node is one of several (null on a
     *                     one-host install, whose records are on this disk only)
     */
    ClusterManager(PgflyHome home, CuratorFramework client, DcsAddress dcs, ChildLauncher launcher, ThisNode thisNode,
                   Installation installation) {
        ClusterLocks locks = new ClusterLocks();
        ClusterStores stores = new ClusterStores(client, dcs);
        ClusterTls tls = new ClusterTls(home);
        this.records = new ClusterRecords(home, installation);
        Allocation allocation = new Allocation(home, records, thisNode, installation);
        launcher.runAs(thisNode);
        this.supervision = new Supervision(launcher, stores, allocation, tls, thisNode);
        this.views = new ClusterViews(records, stores, supervision, thisNode);
        this.access = new ClientAccess(home, records, tls, thisNode);
        Readiness readiness = new Readiness(stores, views, access);
        ClusterParts parts = new ClusterParts(home, records, locks, stores, allocation, supervision, views, readiness, tls, thisNode);
        ClusterBackups backups = new ClusterBackups(home);
        this.poolers = new ClusterPoolers(parts, access);
        this.lifecycle = new Lifecycle(parts, access, backups, poolers);
        this.membership = new Membership(parts, poolers);
        this.maintenance = new Maintenance(parts, membership);
        this.pauses = new ClusterPauses(records, stores);
        this.schedule = new ClusterSchedule(records, stores, thisNode);
        this.regionFailover = new RegionFailover(parts);
        this.scheduledRunner = new ScheduledRunner(new ScheduledRunner.Operations() {
            @Override
            public List<String> clusters() {
                return records.all().stream().map(c -> c.spec().name()).toList();
            }

            @Override
            public String switchover(String cluster, String to) throws Exception {
                return membership.switchover(cluster, to);
            }

            @Override
            public String restart(String cluster, boolean force, String member) throws Exception {
                RestartResult r = maintenance.restart(cluster, force, member);
                return r.steps().isEmpty() ? "nothing restarted: " + r.note()
                        : r.steps().size() + " step(s), primary " + r.primary();
            }
        }, stores, thisNode.name());
        this.adoption = installation == null ? null : new HomeAdoption(parts, installation);
        this.reconciler = installation == null ? null : new NodeReconciler(parts, backups, c -> {
            try {
                lifecycle.deleteLocalData(c);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return null;
        }, () -> {
            try {
                return thisNode.installationId().equals(installation.id(thisNode.installationId()));
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** In an installation, before reconciling: this home's one-host clusters, placed on this node; the names adopted now. */
    List<String> adoptOneHostClusters() {
        return adoption.adoptAll();
    }

    /** In an installation: runs this node's part of every cluster, now and whenever a record changes. */
    void startReconciling(Installation installation) throws Exception {
        installation.watchClusters(reconciler::wake);
        reconciler.start();
    }

    // ------------------------------------------------------------------ records and views

    List<LocalCluster> all() {
        return records.all();
    }

    LocalCluster load(String name) {
        return records.load(name);
    }

    List<ClusterView> list() {
        return views.list();
    }

    ClusterView status(String name) {
        return views.status(name);
    }

    ClusterView view(LocalCluster cluster) {
        return views.view(cluster);
    }

    List<Event> events(String name, int limit) throws Exception {
        return views.events(name, limit);
    }

    List<LogFile> logFiles(String name, String member) {
        return views.logFiles(name, member);
    }

    // ------------------------------------------------------------------ create / start / stop / destroy

    CreateResult create(CreateRequest req) throws Exception {
        return lifecycle.create(req);
    }

    void startCluster(String name) throws Exception {
        lifecycle.startCluster(name);
    }

    void stopCluster(String name) throws Exception {
        lifecycle.stopCluster(name);
    }

    void destroy(String name) throws Exception {
        lifecycle.destroy(name);
    }

    void restoreAll() {
        lifecycle.restoreAll();
    }

    void stopAllChildren() {
        supervision.stopAllChildren();
    }

    // ------------------------------------------------------------------ members and switchover

    ClusterView addMember(String name, String region, String node, boolean sameHost) throws Exception {
        return membership.addMember(name, region, node, sameHost);
    }

    ClusterView updateMember(String name, String member, dev.pgfly.node.api.MemberTagsUpdate update) throws Exception {
        return membership.updateMember(name, member, update);
    }

    ClusterView removeMember(String name, String member) throws Exception {
        return membership.removeMember(name, member);
    }

    String switchover(String name, String to) throws Exception {
        return membership.switchover(name, to);
    }

    ClusterPauses pauses() {
        return pauses;
    }

    /** Disaster recovery: {@code pgfly failover NAME --to M --allow-other-region}. */
    dev.pgfly.node.api.RegionFailoverResult failoverToOtherRegion(String name, String to) throws Exception {
        if (to == null) {
            throw new IllegalArgumentException("--allow-other-region needs --to MEMBER: the member to promote");
        }
        return regionFailover.failover(name, to);
    }

    ClusterSchedule schedule() {
        return schedule;
    }

    /** Runs operations scheduled with {@code --at} when they fall due (this node, or any other, whichever takes them). */
    void startScheduledOperations() {
        scheduledRunner.start();
    }

    // ------------------------------------------------------------------ settings, restart, upgrade

    SettingsView settings(String name) throws Exception {
        return maintenance.settings(name);
    }

    SettingsView updateSettings(String name, SettingsUpdate update) throws Exception {
        return maintenance.updateSettings(name, update);
    }

    RestartResult restart(String name, boolean force, String member) throws Exception {
        return maintenance.restart(name, force, member);
    }

    RestartResult upgrade(String name, String pgBin) throws Exception {
        return maintenance.upgrade(name, pgBin);
    }

    // ------------------------------------------------------------------ client access

    String url(String name, boolean replica, String database, String region, boolean singleHost) throws IOException {
        return access.url(name, replica, database, region, singleHost);
    }

    String verifyUrl(String name, boolean replica, String database, String region, boolean singleHost) throws IOException {
        return access.verifyUrl(name, replica, database, region, singleHost);
    }

    String pooledUrl(String name, String database, boolean singleHost, boolean verify) throws IOException {
        return access.pooledUrl(name, database, singleHost, verify);
    }

    ClusterView updatePooler(String name, String mode, Integer poolSize) throws Exception {
        return poolers.update(name, mode, poolSize);
    }

    Map<String, Object> certificate(String name) throws IOException {
        return access.certificate(name);
    }

    @Override
    public void close() {
        scheduledRunner.close();
        if (reconciler != null) {
            reconciler.close();
        }
        stopAllChildren();
    }
}
