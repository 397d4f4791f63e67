package dev.pgfly.node;

import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MemberLivenessTest {
    private static MemberStatus status(long agentPid, long postgresPid) {
        return new MemberStatus("m1", Role.PRIMARY, MemberState.RUNNING, null, "127.0.0.1", 5432, null, "local", 1, 0, 0, 0, 0, 0,
                false, false, null, 1, agentPid, postgresPid, 0);
    }

    @Test
    void runningWhenTheAgentAndPostgresLive() {
        assertThat(MemberLiveness.problem(status(10, 20), 10L, Set.of(10L, 20L)::contains)).isEmpty();
    }

    @Test
    void aKilledPostgresIsDownAtOnceWhatEverTheLastStatusSaid() {
        assertThat(MemberLiveness.problem(status(10, 20), 10L, Set.of(10L)::contains)).hasValue("postgres down");
    }

    @Test
    void aKilledAgentIsDownAndARestartedOneIsRestartingUntilItPublishes() {
        assertThat(MemberLiveness.problem(status(10, 20), 10L, Set.of(20L)::contains)).hasValue("agent down");
        assertThat(MemberLiveness.problem(status(10, 20), null, Set.of(20L)::contains)).hasValue("agent down");
        assertThat(MemberLiveness.problem(status(10, 20), 11L, Set.of(11L, 20L)::contains)).hasValue("agent restarting");
    }

    @Test
    void aMemberWithoutPostgresRunningIsNotJudgedByIt() {
        assertThat(MemberLiveness.problem(status(10, 0), 10L, Set.of(10L)::contains)).isEmpty();
    }
}
