package dev.pgfly.core.model;

import dev.pgfly.core.util.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemberStateTest {
    @Test
    void everyLabelReadsBackAsItsState() {
        for (MemberState s : MemberState.values()) {
            assertThat(MemberState.fromWire(s.label())).isEqualTo(s);
            assertThat(s.label()).isEqualTo(s.label().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** What agents before the enum published: a rolling upgrade meets these sentences. */
    @Test
    void sentencesOfOlderAgentsReadAsTheStateTheyMeant() {
        assertThat(MemberState.fromWire("running")).isEqualTo(MemberState.RUNNING);
        assertThat(MemberState.fromWire("catching up with m2")).isEqualTo(MemberState.CATCHING_UP);
        assertThat(MemberState.fromWire("idle: stopped after 300 s without clients")).isEqualTo(MemberState.IDLE);
        assertThat(MemberState.fromWire("idle: the last wake-up failed (x)")).isEqualTo(MemberState.IDLE);
        assertThat(MemberState.fromWire("wake failed: no space")).isEqualTo(MemberState.WAKE_FAILED);
        assertThat(MemberState.fromWire("fenced: coordination connection lost")).isEqualTo(MemberState.FENCED);
        assertThat(MemberState.fromWire("rewinding against m1")).isEqualTo(MemberState.REWINDING);
        assertThat(MemberState.fromWire("re-cloning from m1")).isEqualTo(MemberState.RECLONING);
        assertThat(MemberState.fromWire("cloning from m1")).isEqualTo(MemberState.CLONING);
        assertThat(MemberState.fromWire("waiting for m1 to be ready")).isEqualTo(MemberState.WAITING_FOR_PRIMARY);
        assertThat(MemberState.fromWire("leaderless: m2 is more advanced")).isEqualTo(MemberState.LEADERLESS);
        assertThat(MemberState.fromWire("starting as standby (leaderless)")).isEqualTo(MemberState.LEADERLESS);
        assertThat(MemberState.fromWire("starting, not accepting connections yet")).isEqualTo(MemberState.STARTING_REPLICA);
        assertThat(MemberState.fromWire("another member won the election")).isEqualTo(MemberState.LOST_ELECTION);
        assertThat(MemberState.fromWire("error: boom")).isEqualTo(MemberState.ERROR);
    }

    @Test
    void aStateNobodyKnowsIsNeverSettled() {
        assertThat(MemberState.fromWire("something a newer agent says")).isEqualTo(MemberState.ERROR);
        assertThat(MemberState.fromWire("something a newer agent says").isRunning()).isFalse();
    }

    @Test
    void onTheWireAStateIsItsLabelAndOldStatusesStillParse() {
        MemberStatus s = new MemberStatus("m1", Role.REPLICA, MemberState.CATCHING_UP, "catching up with m2", "h", 1,
                null, "r", 1, 0, 0, 0, 0, 0.0, false, true, "m2", 1, 1, 1, 1);
        String json = Json.MAPPER.writeValueAsString(s);
        assertThat(json).contains("\"state\":\"catching up\"").contains("\"detail\":\"catching up with m2\"");
        assertThat(Json.MAPPER.readValue(json, MemberStatus.class)).isEqualTo(s);
        MemberStatus old = Json.MAPPER.readValue(json.replace("\"state\":\"catching up\"", "\"state\":\"catching up with m2\"")
                .replace(",\"detail\":\"catching up with m2\"", ""), MemberStatus.class);
        assertThat(old.state()).isEqualTo(MemberState.CATCHING_UP);
        assertThat(old.detail()).isNull();
    }
}
