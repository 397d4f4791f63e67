package dev.pgfly.node;

import dev.pgfly.core.model.MemberStatus;

import java.util.Optional;
import java.util.function.LongPredicate;

/**
 * What the daemon sees for itself of a member's processes. An agent's published status outlives the
 * agent by up to a session timeout, and says nothing of a PostgreSQL killed since the last cycle;
 * on this host the daemon can ask the kernel, so that {@code status} does not call a member running
 * for seconds after its processes died. The daemon asks with {@code Pids::running}, which counts a
 * killed agent it has not reaped yet as dead.
 */
final class MemberLiveness {
    private MemberLiveness() {
    }

    /** Why the member is not running although its status may say so; empty when its processes live. */
    static Optional<String> problem(MemberStatus status, Long agentPid, LongPredicate alive) {
        if (agentPid == null || !alive.test(agentPid)) {
            return Optional.of("agent down");
        }
        if (status != null && status.agentPid() > 0 && status.agentPid() != agentPid) {
            return Optional.of("agent restarting");
        }
        if (status != null && status.postgresPid() > 0 && !alive.test(status.postgresPid())) {
            return Optional.of("postgres down");
        }
        return Optional.empty();
    }
}
