package dev.pgfly.core.ha;

import java.util.List;
import java.util.Set;

/**
 * Everything the failover decision depends on, gathered by the agent at the edges.
 *
 * @param self                the member deciding
 * @param members             every member of the cluster configuration, the former primary included
 * @param formerPrimary       the member that led last (may be null on a fresh cluster)
 * @param lastPrimaryPosition the former primary's last published WAL position (0 when unknown)
 * @param synchronous         whether synchronous replication is on
 * @param syncSet             the recorded synchronous set (only its members may be promoted when synchronous)
 * @param switchoverTarget    the member chosen by a planned switchover, or null
 */
public record ElectionInput(
        String self,
        String primaryRegion,
        List<Candidate> members,
        String formerPrimary,
        long lastPrimaryPosition,
        boolean synchronous,
        Set<String> syncSet,
        long maxLagBytes,
        String switchoverTarget) {

    public ElectionInput {
        members = List.copyOf(members);
        syncSet = Set.copyOf(syncSet);
    }
}
