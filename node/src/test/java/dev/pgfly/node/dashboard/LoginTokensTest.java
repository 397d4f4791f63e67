package dev.pgfly.node.dashboard;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.pgfly.node.dashboard.LoginTokens.Verdict.ACCEPTED;
import static dev.pgfly.node.dashboard.LoginTokens.Verdict.ALREADY_USED;
import static dev.pgfly.node.dashboard.LoginTokens.Verdict.EXPIRED;
import static dev.pgfly.node.dashboard.LoginTokens.Verdict.MALFORMED;
import static dev.pgfly.node.dashboard.LoginTokens.Verdict.WRONG_SIGNATURE;
import static org.assertj.core.api.Assertions.assertThat;

class LoginTokensTest {
    private static final Instant NOW = Instant.parse("2025-05-01T12:00:00Z");

    @Test
    void aLinkLogsInOnceWithinItsTenMinutes() {
        LoginTokens node = new LoginTokens("node-token");
        String token = new LoginTokens("node-token").issue(NOW);
        assertThat(node.redeem(token, NOW.plusSeconds(599))).isEqualTo(ACCEPTED);
        assertThat(node.redeem(token, NOW.plusSeconds(600))).isEqualTo(ALREADY_USED);
    }

    @Test
    void anExpiredLinkIsRefused() {
        LoginTokens node = new LoginTokens("node-token");
        assertThat(node.redeem(node.issue(NOW), NOW.plusSeconds(601))).isEqualTo(EXPIRED);
    }

    @Test
    void aLinkSignedWithAnotherTokenOrWithAChangedExpiryIsRefused() {
        LoginTokens node = new LoginTokens("node-token");
        String other = new LoginTokens("another-node").issue(NOW);
        assertThat(node.redeem(other, NOW)).isEqualTo(WRONG_SIGNATURE);
        String token = node.issue(NOW);
        String later = (Long.parseLong(token.substring(0, token.indexOf('.'))) + 3600) + token.substring(token.indexOf('.'));
        assertThat(node.redeem(later, NOW)).as("the expiry is signed").isEqualTo(WRONG_SIGNATURE);
    }

    @Test
    void garbageIsMalformed() {
        LoginTokens node = new LoginTokens("node-token");
        assertThat(node.redeem(null, NOW)).isEqualTo(MALFORMED);
        assertThat(node.redeem("", NOW)).isEqualTo(MALFORMED);
        assertThat(node.redeem("abc.def", NOW)).isEqualTo(MALFORMED);
        assertThat(node.redeem(".x", NOW)).isEqualTo(MALFORMED);
        assertThat(node.redeem("1".repeat(300) + ".x", NOW)).isEqualTo(MALFORMED);
    }

    @Test
    void sessionsAreRandomExpireAndAreBounded() {
        Sessions sessions = new Sessions();
        String first = sessions.open(NOW);
        assertThat(first).hasSizeGreaterThanOrEqualTo(40).isNotEqualTo(sessions.open(NOW));
        assertThat(sessions.valid(first, NOW.plus(Sessions.LIFETIME))).isTrue();
        assertThat(sessions.valid(first, NOW.plus(Sessions.LIFETIME).plusSeconds(1))).isFalse();
        assertThat(sessions.valid("made-up", NOW)).isFalse();
        assertThat(sessions.valid(null, NOW)).isFalse();
        for (int i = 0; i < Sessions.MAX; i++) {
            sessions.open(NOW);
        }
        assertThat(sessions.valid(first, NOW)).as("the oldest session makes room").isFalse();
    }
}
