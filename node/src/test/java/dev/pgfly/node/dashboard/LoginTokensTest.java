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
        String[] parts = token.split("\\.");
        assertThat(node.redeem(parts[0] + "." + parts[1] + "x." + parts[2], NOW)).as("the nonce is signed").isEqualTo(WRONG_SIGNATURE);
        assertThat(node.redeem(parts[0] + "." + parts[2], NOW)).as("no nonce").isEqualTo(MALFORMED);
    }

    @Test
    void twoLinksMadeInTheSameSecondAreTwoLinks() {
        LoginTokens node = new LoginTokens("node-token");
        String one = node.issue(NOW);
        String two = node.issue(NOW);
        assertThat(one).isNotEqualTo(two).doesNotContain("node-token");
        assertThat(node.redeem(one, NOW)).isEqualTo(ACCEPTED);
        assertThat(node.redeem(two, NOW)).isEqualTo(ACCEPTED);
    }

    @Test
    void aNodeOfAnInstallationTakesLinksSignedWithEitherToken() {
        LoginTokens node = new LoginTokens(java.util.List.of("node-token", "installation-secret"));
        assertThat(node.redeem(new LoginTokens("installation-secret").issue(NOW), NOW)).isEqualTo(ACCEPTED);
        assertThat(node.redeem(new LoginTokens("node-token").issue(NOW), NOW)).isEqualTo(ACCEPTED);
        assertThat(node.redeem(new LoginTokens("a-guess").issue(NOW), NOW)).isEqualTo(WRONG_SIGNATURE);
    }

    @Test
    void theMemoryOfUsedLinksIsBoundedAndRefusesRatherThanForgets() {
        LoginTokens node = new LoginTokens("node-token");
        for (int i = 0; i < LoginTokens.MAX_REMEMBERED; i++) {
            assertThat(node.redeem(node.issue(NOW.plusSeconds(i / 100)), NOW.plusSeconds(i / 100))).isEqualTo(ACCEPTED);
        }
        String fresh = node.issue(NOW.plusSeconds(20));
        assertThat(node.redeem(fresh, NOW.plusSeconds(20))).isEqualTo(LoginTokens.Verdict.TOO_MANY);
        // once the remembered links have expired they are forgotten: no longer of use, they take no room
        String later = node.issue(NOW.plusSeconds(700));
        assertThat(node.redeem(later, NOW.plusSeconds(700))).isEqualTo(ACCEPTED);
        assertThat(node.redeem(later, NOW.plusSeconds(701))).isEqualTo(ALREADY_USED);
    }

    @Test
    void garbageIsMalformed() {
        LoginTokens node = new LoginTokens("node-token");
        assertThat(node.redeem(null, NOW)).isEqualTo(MALFORMED);
        assertThat(node.redeem("", NOW)).isEqualTo(MALFORMED);
        assertThat(node.redeem("abc.def", NOW)).isEqualTo(MALFORMED);
        assertThat(node.redeem("abc.n.def", NOW)).isEqualTo(MALFORMED);
        assertThat(node.redeem("1..def", NOW)).isEqualTo(MALFORMED);
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
