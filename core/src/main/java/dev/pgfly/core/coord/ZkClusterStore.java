package dev.pgfly.core.coord;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.Event;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.PauseState;
import dev.pgfly.core.model.ScheduledOperation;
import dev.pgfly.core.model.SwitchoverRequest;
import dev.pgfly.core.model.SyncState;
import dev.pgfly.core.model.WakeAnswer;
import dev.pgfly.core.util.Json;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link ClusterStore} on ZooKeeper through Curator. Layout under {@code <root>/<cluster>/}:
 * {@code config}, {@code leader} (ephemeral), {@code term}, {@code initialize}, {@code members/<name>}
 * (ephemeral), {@code sync}, {@code switchover}, {@code pause}, {@code scheduled/<kind>}, {@code history/e-<seq>}.
 */
public final class ZkClusterStore implements ClusterStore {
    private static final Logger log = LoggerFactory.getLogger(ZkClusterStore.class);
    private static final int HISTORY_LIMIT = 500;

    private final CuratorFramework client;
    private final boolean ownsClient;
    private final String cluster;
    private final String base;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private CuratorCache cache;

    public ZkClusterStore(CuratorFramework client, String root, String cluster, boolean ownsClient) {
        this.client = client;
        this.cluster = cluster;
        this.base = root + "/" + cluster;
        this.ownsClient = ownsClient;
    }

    @Override
    public String cluster() {
        return cluster;
    }

    private String path(String node) {
        return base + "/" + node;
    }

    @Override
    public Optional<ClusterSpec> config() {
        return read(path("config")).map(b -> Json.read(b, ClusterSpec.class));
    }

    @Override
    public void putConfig(ClusterSpec spec) {
        write(path("config"), Json.bytes(spec));
        ensure(path("term"), "0".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Optional<LeaderRecord> leader() {
        return read(path("leader")).map(b -> Json.read(b, LeaderRecord.class));
    }

    @Override
    public OptionalLong tryAcquireLeadership(String member, String host, int pgPort) {
        ensure(path("term"), "0".getBytes(StandardCharsets.UTF_8));
        ensure(path("last_leader"), new byte[0]);
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                Stat termStat = new Stat();
                byte[] termData = client.getData().storingStatIn(termStat).forPath(path("term"));
                long next = Long.parseLong(new String(termData, StandardCharsets.UTF_8).trim()) + 1;
                LeaderRecord record = new LeaderRecord(member, next, host, pgPort, false, System.currentTimeMillis());
                // One transaction: the leader node and the term move together or not at all.
                client.transaction().forOperations(
                        client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                                .forPath(path("leader"), Json.bytes(record)),
                        client.transactionOp().setData().withVersion(termStat.getVersion())
                                .forPath(path("term"), Long.toString(next).getBytes(StandardCharsets.UTF_8)),
                        client.transactionOp().setData()
                                .forPath(path("last_leader"), member.getBytes(StandardCharsets.UTF_8)));
                return OptionalLong.of(next);
            } catch (KeeperException.NodeExistsException e) {
                return OptionalLong.empty();
            } catch (KeeperException.BadVersionException e) {
                log.debug("term moved while acquiring leadership, retrying");
            } catch (Exception e) {
                throw new StoreException("could not acquire leadership", e);
            }
        }
        return OptionalLong.empty();
    }

    private long sessionId() throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    @Override
    public boolean holdsLeadership(String member) {
        try {
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(path("leader"));
            return stat.getEphemeralOwner() == sessionId()
                    && Json.read(data, LeaderRecord.class).member().equals(member);
        } catch (KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw new StoreException("could not read the leader node", e);
        }
    }

    @Override
    public void updateLeader(LeaderRecord record) {
        try {
            Stat stat = client.checkExists().forPath(path("leader"));
            if (stat == null || stat.getEphemeralOwner() != sessionId()) {
                throw new StoreException("leadership lost before the leader node could be updated");
            }
            client.setData().withVersion(stat.getVersion()).forPath(path("leader"), Json.bytes(record));
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("could not update the leader node", e);
        }
    }

    @Override
    public void releaseLeadership(String member) {
        try {
            Stat stat = client.checkExists().forPath(path("leader"));
            if (stat != null && stat.getEphemeralOwner() == sessionId()) {
                client.delete().withVersion(stat.getVersion()).forPath(path("leader"));
            }
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            log.debug("leader node already gone");
        } catch (Exception e) {
            throw new StoreException("could not release leadership", e);
        }
    }

    @Override
    public long currentTerm() {
        return read(path("term")).map(b -> Long.parseLong(new String(b, StandardCharsets.UTF_8).trim())).orElse(0L);
    }

    @Override
    public Optional<String> lastLeader() {
        return read(path("last_leader")).map(b -> new String(b, StandardCharsets.UTF_8)).filter(s -> !s.isBlank());
    }

    @Override
    public void removeStaleLeader(String member) {
        try {
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(path("leader"));
            if (stat.getEphemeralOwner() != sessionId() && Json.read(data, LeaderRecord.class).member().equals(member)) {
                client.delete().withVersion(stat.getVersion()).forPath(path("leader"));
                log.info("removed the leader node left by a previous incarnation of {}", member);
            }
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            log.debug("stale leader node already gone");
        } catch (Exception e) {
            throw new StoreException("could not remove the stale leader node", e);
        }
    }

    @Override
    public boolean tryClaimInitialize(String member) {
        try {
            client.create().creatingParentsIfNeeded().forPath(path("initialize"), member.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        } catch (Exception e) {
            throw new StoreException("could not claim initialization", e);
        }
    }

    @Override
    public boolean initialized() {
        return exists(path("initialize"));
    }

    @Override
    public void publishMember(MemberStatus status) {
        try {
            client.create().orSetData().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(path("members/" + status.name()), Json.bytes(status));
        } catch (Exception e) {
            throw new StoreException("could not publish member status", e);
        }
    }

    @Override
    public void removeMemberStatus(String member) {
        delete(path("members/" + member));
    }

    @Override
    public List<MemberStatus> members() {
        List<MemberStatus> result = new ArrayList<>();
        for (String child : children(path("members"))) {
            read(path("members/" + child)).ifPresent(b -> result.add(Json.read(b, MemberStatus.class)));
        }
        result.sort(Comparator.comparing(MemberStatus::name));
        return result;
    }

    @Override
    public Optional<SyncState> syncState() {
        return read(path("sync")).map(b -> Json.read(b, SyncState.class));
    }

    @Override
    public void putSyncState(SyncState state) {
        write(path("sync"), Json.bytes(state));
    }

    @Override
    public Optional<SwitchoverRequest> switchover() {
        return read(path("switchover")).map(b -> Json.read(b, SwitchoverRequest.class));
    }

    @Override
    public void requestSwitchover(SwitchoverRequest request) {
        write(path("switchover"), Json.bytes(request));
    }

    @Override
    public void clearSwitchover() {
        delete(path("switchover"));
    }

    @Override
    public Optional<PauseState> pause() {
        return read(path("pause")).map(b -> Json.read(b, PauseState.class));
    }

    @Override
    public void putPause(PauseState pause) {
        write(path("pause"), Json.bytes(pause));
    }

    @Override
    public void clearPause() {
        delete(path("pause"));
    }

    @Override
    public Optional<ScheduledOperation> scheduled(ScheduledOperation.Kind kind) {
        return read(scheduledPath(kind)).map(b -> Json.read(b, ScheduledOperation.class));
    }

    @Override
    public void putScheduled(ScheduledOperation operation) {
        write(scheduledPath(operation.kind()), Json.bytes(operation));
    }

    @Override
    public boolean takeScheduled(ScheduledOperation expected) {
        String p = scheduledPath(expected.kind());
        try {
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(p);
            if (!Json.read(data, ScheduledOperation.class).equals(expected)) {
                return false;
            }
            // The version makes the delete fail if another node took it, or it was replaced, since the read.
            client.delete().withVersion(stat.getVersion()).forPath(p);
            return true;
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            return false;
        } catch (Exception e) {
            throw new StoreException("could not take " + p, e);
        }
    }

    @Override
    public boolean cancelScheduled(ScheduledOperation.Kind kind) {
        String p = scheduledPath(kind);
        try {
            client.delete().forPath(p);
            return true;
        } catch (KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw new StoreException("could not delete " + p, e);
        }
    }

    private String scheduledPath(ScheduledOperation.Kind kind) {
        return path("scheduled/" + kind.label());
    }

    @Override
    public void requestWake(long at) {
        write(path("wake"), Long.toString(at).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Override
    public long wakeRequestedAt() {
        return read(path("wake")).map(b -> Long.parseLong(new String(b, java.nio.charset.StandardCharsets.US_ASCII).strip()))
                .orElse(0L);
    }

    @Override
    public void answerWake(WakeAnswer answer) {
        write(path("wake-answer"), Json.bytes(answer));
    }

    @Override
    public Optional<WakeAnswer> wakeAnswer() {
        return read(path("wake-answer")).map(b -> Json.read(b, WakeAnswer.class));
    }

    @Override
    public void recordEvent(Event event) {
        try {
            client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(path("history/e-"), Json.bytes(event));
            List<String> all = children(path("history"));
            if (all.size() > HISTORY_LIMIT) {
                all.stream().sorted().limit(all.size() - HISTORY_LIMIT).forEach(old -> delete(path("history/" + old)));
            }
        } catch (Exception e) {
            log.warn("could not record event {}: {}", event.kind(), e.toString());
        }
    }

    @Override
    public List<Event> events(int limit) {
        List<String> names = children(path("history")).stream().sorted().toList();
        List<Event> result = new ArrayList<>();
        for (String name : names.subList(Math.max(0, names.size() - limit), names.size())) {
            read(path("history/" + name)).ifPresent(b -> result.add(Json.read(b, Event.class)));
        }
        return result;
    }

    @Override
    public void deleteCluster() {
        try {
            if (client.checkExists().forPath(base) != null) {
                client.delete().guaranteed().deletingChildrenIfNeeded().forPath(base);
            }
        } catch (KeeperException.NoNodeException e) {
            log.debug("cluster {} already gone", cluster);
        } catch (Exception e) {
            throw new StoreException("could not delete cluster " + cluster, e);
        }
    }

    @Override
    public synchronized void onChange(Runnable listener) {
        changeListeners.add(listener);
        if (cache == null) {
            ensure(base, new byte[0]);
            cache = CuratorCache.build(client, base);
            cache.listenable().addListener((type, oldData, data) -> {
                if (type == CuratorCacheListener.Type.NODE_CHANGED && isProgressOnly(oldData, data)) {
                    return;
                }
                changeListeners.forEach(l -> {
                    try {
                        l.run();
                    } catch (RuntimeException e) {
                        log.warn("change listener failed", e);
                    }
                });
            });
            cache.start();
        }
    }

    /**
     * A member status rewritten with new WAL positions and heartbeat time only. Listeners do not hear
     * of it: each agent publishes once a cycle, and waking every HA loop and proxy on each of those
     * made the agents run cycle after cycle without pause (an idle one-member cluster: its agent at
     * about 40% of a core, the daemon's ZooKeeper at as much). Loops still run every interval and read
     * progress fresh when they decide.
     */
    private boolean isProgressOnly(ChildData oldData, ChildData data) {
        if (oldData == null || data == null || !data.getPath().startsWith(path("members/"))) {
            return false;
        }
        try {
            MemberStatus before = Json.read(oldData.getData(), MemberStatus.class);
            MemberStatus after = Json.read(data.getData(), MemberStatus.class);
            return after.differsOnlyInProgress(before);
        } catch (RuntimeException e) {
            return false; // not a status we can read: let the listeners look
        }
    }

    @Override
    public void onConnectionChange(ConnectionListener listener) {
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.SUSPENDED) {
                listener.suspended();
            } else if (state == ConnectionState.RECONNECTED) {
                listener.reconnected();
            } else if (state == ConnectionState.LOST) {
                listener.lost();
            }
        });
    }

    @Override
    public boolean isConnected() {
        return client.getZookeeperClient().isConnected();
    }

    @Override
    public synchronized void close() {
        if (cache != null) {
            cache.close();
        }
        if (ownsClient) {
            client.close();
        }
    }

    // --- small helpers: every failure becomes a StoreException with the path in it ---

    private Optional<byte[]> read(String p) {
        try {
            return Optional.of(client.getData().forPath(p));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw new StoreException("could not read " + p, e);
        }
    }

    private void write(String p, byte[] data) {
        ZkLimits.requireStorable(p, data);
        try {
            client.create().orSetData().creatingParentsIfNeeded().forPath(p, data);
        } catch (Exception e) {
            throw new StoreException("could not write " + p, e);
        }
    }

    private void ensure(String p, byte[] initial) {
        try {
            client.create().creatingParentsIfNeeded().forPath(p, initial);
        } catch (KeeperException.NodeExistsException e) {
            // already there: ensure is idempotent
        } catch (Exception e) {
            throw new StoreException("could not create " + p, e);
        }
    }

    private boolean exists(String p) {
        try {
            return client.checkExists().forPath(p) != null;
        } catch (Exception e) {
            throw new StoreException("could not check " + p, e);
        }
    }

    private List<String> children(String p) {
        try {
            return client.getChildren().forPath(p);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw new StoreException("could not list " + p, e);
        }
    }

    private void delete(String p) {
        try {
            client.delete().forPath(p);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        } catch (Exception e) {
            throw new StoreException("could not delete " + p, e);
        }
    }
}
