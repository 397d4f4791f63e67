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

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The coordination store as one cluster sees it. Kept small so that a backend other than ZooKeeper
 * (etcd) can follow; everything safety-critical is expressed as an atomic operation here.
 */
public interface ClusterStore extends AutoCloseable {

    String cluster();

    Optional<ClusterSpec> config();

    void putConfig(ClusterSpec spec);

    /** Reads the leader node from the store itself (not a cache): used for decisions. */
    Optional<LeaderRecord> leader();

    /**
     * Atomically creates the ephemeral leader node for {@code member} and bumps the term.
     * Returns the new term, or empty when another member already leads.
     */
    OptionalLong tryAcquireLeadership(String member, String host, int pgPort);

    /** True when the leader node exists and is owned by this client's current session. */
    boolean holdsLeadership(String member);

    /** Updates the leader node's content; only its owner may do so. */
    void updateLeader(LeaderRecord record);

    /** Deletes the leader node if this session owns it. */
    void releaseLeadership(String member);

    long currentTerm();

    /** The member that acquired leadership last (persists after its leader node is gone). */
    Optional<String> lastLeader();

    /**
     * Deletes a leader node that names {@code member} but belongs to another session: one left behind
     * by a previous incarnation of this member's agent. The caller must have made sure beforehand that
     * its PostgreSQL does not accept writes.
     */
    void removeStaleLeader(String member);

    /** Claims the right to initialize the cluster (initdb); true for exactly one caller ever. */
    boolean tryClaimInitialize(String member);

    boolean initialized();

    void publishMember(MemberStatus status);

    void removeMemberStatus(String member);

    List<MemberStatus> members();

    Optional<SyncState> syncState();

    void putSyncState(SyncState state);

    Optional<SwitchoverRequest> switchover();

    void requestSwitchover(SwitchoverRequest request);

    void clearSwitchover();

    /** The cluster's pause (maintenance mode), possibly expired; empty when it was never paused or was resumed. */
    Optional<PauseState> pause();

    void putPause(PauseState pause);

    void clearPause();

    /** The operation of that kind scheduled for later ({@code --at}), due or not; empty when none is. */
    Optional<ScheduledOperation> scheduled(ScheduledOperation.Kind kind);

    /** Schedules an operation, replacing any other of its kind. */
    void putScheduled(ScheduledOperation operation);

    /**
     * Takes a scheduled operation to run it: deletes its node only if it still holds {@code expected}. Every
     * node may try at once; exactly one succeeds, so the operation runs once.
     *
     * @return whether this caller took it (false: another did, it was cancelled or replaced)
     */
    boolean takeScheduled(ScheduledOperation expected);

    /** @return whether an operation of that kind was scheduled (and is no longer) */
    boolean cancelScheduled(ScheduledOperation.Kind kind);

    /**
     * Asks the member of a scaled-to-zero cluster to start PostgreSQL again (the proxy does, when a
     * client connects). A timestamp, so that the agent can tell a new request from one it served.
     */
    void requestWake(long at);

    /** The time of the latest wake request, 0 when there was none. */
    long wakeRequestedAt();

    void answerWake(WakeAnswer answer);

    Optional<WakeAnswer> wakeAnswer();

    void recordEvent(Event event);

    List<Event> events(int limit);

    /** Removes every node of the cluster. */
    void deleteCluster();

    /**
     * Runs {@code listener} whenever anything under the cluster changes (leader, members, config,
     * requests), except a member status that changed in progress only ({@link MemberStatus#differsOnlyInProgress}).
     */
    void onChange(Runnable listener);

    void onConnectionChange(ConnectionListener listener);

    boolean isConnected();

    @Override
    void close();
}
